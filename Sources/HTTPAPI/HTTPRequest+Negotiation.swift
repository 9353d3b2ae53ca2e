import HTTPServer

extension HTTPRequest {
    /// Whether the client's `Accept` names `mediaType` (parameters such as `q` aside).
    func accepts(_ mediaType: String) -> Bool {
        headers.values(named: "Accept").flatMap { $0.split(separator: ",") }.contains { range in
            range.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() == mediaType } ?? false
        }
    }

    /// The media type of the body (`Content-Type` without its parameters), lowercased; nil
    /// without one.
    var mediaType: String? {
        headers["Content-Type"]?.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() }
    }
}

extension Substring {
    /// The text without the spaces and tabs around it.
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

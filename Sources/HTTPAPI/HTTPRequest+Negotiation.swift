import HTTPServer

extension HTTPRequest {
    /// Whether the client's `Accept` names `mediaType`, with a weight (`q`) above 0.
    func accepts(_ mediaType: String) -> Bool {
        headers.values(named: "Accept").flatMap { $0.split(separator: ",") }.contains { range in
            let parts = range.split(separator: ";").map(\.trimmingSpaces)
            guard parts.first?.lowercased() == mediaType else { return false }
            let weight = parts.dropFirst().first { $0.lowercased().hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) }
            return (weight ?? 1) > 0
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

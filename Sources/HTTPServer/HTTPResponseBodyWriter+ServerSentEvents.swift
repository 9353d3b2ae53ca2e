extension HTTPResponseBodyWriter {
    /// Sends one server-sent event (the `text/event-stream` format): its `event` name when
    /// given, then `data` as one `data:` field a line (a line break in `data` starts the next
    /// field, so the client's `data` is exactly `data` again), then the blank line that ends
    /// the event.
    /// - Throws: ``HTTPClientGone`` once the client has gone.
    public func writeEvent(_ event: String? = nil, data: String) async throws(HTTPClientGone) {
        var text = event.map { "event: \($0)\n" } ?? ""
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        try await write(text + "\n")
    }
}

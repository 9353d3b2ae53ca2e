/// One event of a `text/event-stream`.
struct ServerSentEvent: Sendable, Equatable {
    /// The `event` field: `message` unless the stream named another type.
    var type: String
    /// The `data` fields, joined with line feeds.
    var data: String
    /// The last `id` field seen so far in the stream, if any.
    var lastEventID: String?

    /// Creates an event.
    init(type: String = "message", data: String, lastEventID: String? = nil) {
        self.type = type
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// Splits a `text/event-stream` into events as its bytes arrive, in pieces of any size,
/// following the HTML standard's event stream interpretation:
///
/// - lines end in CR LF, LF or CR, even when a CR LF is split between two pieces;
/// - a line starting with `:` is a comment;
/// - `field: value` (one space after the colon is dropped) sets `event` or `id`, or adds a
///   `data` line (several `data` lines join with line feeds); other fields are ignored;
/// - an empty line dispatches the event, unless it has no `data` at all;
/// - a byte order mark at the very start is skipped, and an event left without its empty
///   line when the stream ends is dropped.
struct ServerSentEventParser {
    /// The longest line accepted, in bytes.
    static let lineLimit = 1 << 20

    /// A line longer than ``lineLimit``, with the events that the same bytes completed
    /// before it: they are whole, and the caller may still deliver them.
    struct LineTooLong: Error, CustomStringConvertible {
        /// The events completed before the line that is too long.
        var completedEvents: [ServerSentEvent] = []

        var description: String { "an event stream line is longer than \(ServerSentEventParser.lineLimit) bytes" }
    }

    private var line: [UInt8] = []
    private var previousByteWasCarriageReturn = false
    private var isAtStreamStart = true
    private var dataLines: [String] = []
    private var eventType = ""
    private var lastEventID: String?

    /// Parses the next bytes of the stream and returns the events they complete, in order.
    mutating func parse(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n") where previousByteWasCarriageReturn:
                previousByteWasCarriageReturn = false  // the LF of a CR LF: that line has ended
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                previousByteWasCarriageReturn = byte == UInt8(ascii: "\r")
                if let event = endLine() { events.append(event) }
            default:
                previousByteWasCarriageReturn = false
                line.append(byte)
                guard line.count <= Self.lineLimit else { throw LineTooLong(completedEvents: events) }
            }
        }
        return events
    }

    /// Interprets the line just ended; returns the event it dispatches, if any.
    private mutating func endLine() -> ServerSentEvent? {
        var text = String(decoding: line, as: UTF8.self)
        line.removeAll(keepingCapacity: true)
        if isAtStreamStart {
            isAtStreamStart = false
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        }
        guard !text.isEmpty else { return dispatch() }
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.hasPrefix(" ") { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            dataLines.append(String(value))
        case "event":
            eventType = String(value)
        case "id" where !value.contains("\0"):
            lastEventID = String(value)
        default:
            break  // "retry" and unknown fields concern reconnecting clients only
        }
        return nil
    }

    /// The event gathered so far, if it has data; starts the next one.
    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            dataLines = []
            eventType = ""
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(type: eventType.isEmpty ? "message" : eventType,
                               data: dataLines.joined(separator: "\n"), lastEventID: lastEventID)
    }
}

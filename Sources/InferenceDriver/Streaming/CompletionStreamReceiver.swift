import Synchronization

/// An ``HTTPResponseReceiver`` for a streamed completion: parses a 2xx `text/event-stream`
/// as it arrives and hands each piece of text to the caller's callback, in order, on the
/// transport's thread. Any other answer (an error status, or a server that ignored
/// `"stream": true` and sent JSON) is buffered for the caller to read once it is over.
final class CompletionStreamReceiver: HTTPResponseReceiver {
    /// What arrived, once the exchange is over.
    enum Outcome: Sendable {
        /// Not even the head.
        case nothing
        /// An answer that is not an event stream.
        case buffered(BufferedResponse)
        /// An event stream, as far as it went; `failure` says why it was given up, if it was.
        case streamed(CompletionStreamAssembler, failure: String?)
    }

    private enum Body {
        case buffer(ResponseBuffer)
        case events(ServerSentEventParser, CompletionStreamAssembler, failure: String?)
    }

    private struct State {
        var head: HTTPResponseHead?
        var body: Body?
        var deliveredChunks = 0
        /// Bytes of the event stream so far: it is given up past `bodyLimit`, like a buffer.
        var streamedBytes = 0
    }

    private let bodyLimit: Int
    private let onChunk: @Sendable (String) -> Void
    private let state = Mutex(State())

    /// Creates a receiver that hands pieces of text to `onChunk`, buffers at most
    /// `bodyLimit` bytes of an answer that is not an event stream, and gives up an event
    /// stream longer than that.
    init(bodyLimit: Int, onChunk: @escaping @Sendable (String) -> Void) {
        self.bodyLimit = bodyLimit
        self.onChunk = onChunk
    }

    func receive(head: HTTPResponseHead) -> HTTPReceiveDecision {
        let isEventStream = head.isSuccess
            && head.value(of: "Content-Type")?.lowercased().hasPrefix("text/event-stream") == true
        state.withLock { state in
            state.head = head
            state.body = isEventStream
                ? .events(ServerSentEventParser(), CompletionStreamAssembler(), failure: nil)
                : .buffer(ResponseBuffer(limit: bodyLimit))
        }
        return .proceed
    }

    func receive(body bytes: UnsafeRawBufferPointer) -> HTTPReceiveDecision {
        let (pieces, decision) = state.withLock { state -> ([String], HTTPReceiveDecision) in
            // Taken out of the state while it changes, so that its buffers are not copied.
            switch state.body.take() {
            case var .buffer(buffer)?:
                let decision = buffer.append(bytes)
                state.body = .buffer(buffer)
                return ([], decision)
            case .events(let parser, let assembler, nil)? where state.streamedBytes + bytes.count > bodyLimit:
                state.body = .events(parser, assembler,
                                     failure: "the streamed answer is larger than \(bodyLimit >> 20) MiB")
                return ([], .stop)
            case .events(var parser, var assembler, nil)?:
                state.streamedBytes += bytes.count
                var pieces: [String] = []
                var failure: String?
                let events: [ServerSentEvent]
                do throws(ServerSentEventParser.LineTooLong) {
                    events = try parser.parse(bytes)
                } catch {
                    events = error.completedEvents
                    failure = error.description
                }
                do {
                    for event in events {
                        if let piece = try assembler.take(event) { pieces.append(piece) }
                    }
                } catch {
                    failure = "\(error)"
                }
                state.body = .events(parser, assembler, failure: failure)
                state.deliveredChunks += pieces.count
                return (pieces, failure == nil ? .proceed : .stop)
            case let body?:
                state.body = body  // a stream given up already
                return ([], .stop)
            case nil:
                return ([], .stop)
            }
        }
        // Outside the lock: the callback may take its time, and must not be able to deadlock.
        for piece in pieces { onChunk(piece) }
        return decision
    }

    /// How many pieces of text have been handed to the callback.
    var deliveredChunks: Int { state.withLock { $0.deliveredChunks } }

    /// What arrived.
    var outcome: Outcome {
        state.withLock { state in
            switch (state.head, state.body) {
            case let (head?, .buffer(buffer)?):
                .buffered(BufferedResponse(head: head, body: buffer.body, isTruncated: buffer.isTruncated))
            case let (_, .events(_, assembler, failure)?):
                .streamed(assembler, failure: failure)
            default:
                .nothing
            }
        }
    }
}

import Synchronization

/// An ``HTTPResponseReceiver`` that keeps the head and the body, up to a limit, for the
/// caller to read once the exchange is over.
final class BufferingResponseReceiver: HTTPResponseReceiver {
    private let state: Mutex<(head: HTTPResponseHead?, buffer: ResponseBuffer)>

    /// Creates a receiver that keeps at most `bodyLimit` bytes of the body and stops the
    /// exchange beyond them.
    init(bodyLimit: Int) {
        state = Mutex((head: nil, buffer: ResponseBuffer(limit: bodyLimit)))
    }

    func receive(head: HTTPResponseHead) -> HTTPReceiveDecision {
        state.withLock { $0.head = head }
        return .proceed
    }

    func receive(body bytes: UnsafeRawBufferPointer) -> HTTPReceiveDecision {
        state.withLock { $0.buffer.append(bytes) }
    }

    /// What arrived, or `nil` if not even the head did.
    var response: BufferedResponse? {
        state.withLock { state in
            state.head.map { BufferedResponse(head: $0, body: state.buffer.body, isTruncated: state.buffer.isTruncated) }
        }
    }
}

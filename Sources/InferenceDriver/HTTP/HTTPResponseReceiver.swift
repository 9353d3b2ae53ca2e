/// What an ``HTTPResponseReceiver`` wants after seeing part of a response.
enum HTTPReceiveDecision: Sendable, Equatable {
    /// Keep receiving.
    case proceed
    /// End the exchange now: the transport closes the connection and returns normally.
    case stop
}

/// Takes one HTTP response as it arrives.
///
/// A transport calls its receiver on a thread of its own, never on Swift's cooperative
/// pool, one call at a time and in order: the final head once (interim 1xx heads are
/// skipped), then the body in pieces, after any transfer encoding has been removed.
/// When the exchange has returned or thrown, the transport makes no further calls.
protocol HTTPResponseReceiver: Sendable {
    /// Receives the status and header fields.
    func receive(head: HTTPResponseHead) -> HTTPReceiveDecision
    /// Receives the next bytes of the body; `bytes` is valid during the call only.
    func receive(body bytes: UnsafeRawBufferPointer) -> HTTPReceiveDecision
}

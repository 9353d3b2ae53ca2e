/// How the router reads and reshapes the errors of its backends.
extension InferenceError {
    /// Whether the error suggests the endpoint is down rather than busy or given a bad
    /// request: a connection error or a retryable HTTP 5xx. HTTP 429 means the server is
    /// up, only busy, and does not count.
    var showsEndpointDown: Bool {
        switch self {
        case .connectionFailed: true
        case .httpStatus: isRetryable
        default: false
        }
    }

    /// This failure as the caller must see it after `chunks` chunks reached it: an
    /// interrupted stream, unless it already is one or is a cancellation.
    func interruptingStream(at endpoint: String, after chunks: Int) -> InferenceError {
        switch self {
        case .streamInterrupted, .cancelled:
            self
        default:
            .streamInterrupted(endpoint: endpoint, deliveredChunks: chunks, reason: description)
        }
    }
}

/// Why an HTTP exchange failed, in terms a user can act on. Never holds header values,
/// so never an API key.
enum HTTPTransportError: Error, Equatable, CustomStringConvertible {
    /// The host name does not resolve; `reason` is the resolver's explanation.
    case unknownHost(String, reason: String)
    /// Nothing listens on the port: the connection was refused.
    case connectionRefused
    /// No connection within the connect timeout, name resolution included.
    case connectTimedOut(Duration)
    /// Connecting failed otherwise (no route to the host, for example), in the system's words.
    case connectFailed(reason: String)
    /// The connection was closed or reset before the answer was complete.
    case connectionLost(reason: String)
    /// The answer is not valid HTTP/1.1.
    case malformedResponse(reason: String)
    /// The whole exchange took longer than its timeout.
    case timedOut(Duration)
    /// The TLS handshake failed (`https://` only).
    case tlsFailed(reason: String)
    /// The calling task was cancelled and the connection closed.
    case cancelled
    /// Another input or output failure, in the system's words.
    case ioFailed(reason: String)

    /// A short explanation, fit to follow "the request failed: ".
    var description: String {
        switch self {
        case let .unknownHost(host, reason):
            "the host name \"\(host)\" does not resolve (\(reason))"
        case .connectionRefused:
            "connection refused"
        case let .connectTimedOut(timeout):
            "no connection within \(timeout) (is the host up and the port right?)"
        case let .connectFailed(reason):
            "cannot connect: \(reason)"
        case let .connectionLost(reason):
            reason
        case let .malformedResponse(reason):
            "the answer is not valid HTTP: \(reason)"
        case let .timedOut(timeout):
            "no complete answer within \(timeout)"
        case let .tlsFailed(reason):
            "the TLS handshake failed: \(reason)"
        case .cancelled:
            "the request was cancelled"
        case let .ioFailed(reason):
            reason
        }
    }
}

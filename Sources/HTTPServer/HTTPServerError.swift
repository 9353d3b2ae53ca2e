import SystemCalls

/// Why an ``HTTPServer`` could not start listening.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The listen address is not `host:port`; the reason says what is wrong.
    case invalidListenAddress(String, reason: String)
    /// The host could not be resolved to an address; the message is the resolver's.
    case unresolvableHost(String, message: String)
    /// A system call failed (`bind`'s `EADDRINUSE`: another program listens on the port).
    case systemCall(SystemCallError)
    /// The server was started twice, or after it was shut down.
    case alreadyStarted

    /// What failed.
    public var description: String {
        switch self {
        case let .invalidListenAddress(text, reason): "\(text) is not an address to listen on: \(reason)"
        case let .unresolvableHost(host, message): "the host \(host) could not be resolved: \(message)"
        case .systemCall(let error): error.description
        case .alreadyStarted: "the HTTP server was already started; create a new one to serve again"
        }
    }
}

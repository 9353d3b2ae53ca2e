import Glibc
import SystemCalls

/// Why a ``JSONRPCClient`` call did not produce a result.
public enum JSONRPCClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No server is listening at the path (no socket file, or nobody accepts on it).
    case notRunning(socketPath: String)
    /// The socket (or its directory) may not be used by the current user.
    case permissionDenied(socketPath: String)
    /// Connecting failed for another reason.
    case connectionFailed(socketPath: String, reason: String)
    /// The server answered with an error.
    case server(JSONRPCError)
    /// The connection ended before the response came; `reason` is what the server said
    /// last, if anything.
    case connectionLost(socketPath: String, reason: String?)
    /// The client was closed.
    case closed
    /// The calling task was cancelled before the response came.
    case cancelled(method: String)
    /// The server answered `method` with a result that is not the one it declares;
    /// `reason` says which member is wrong.
    case unreadableResult(method: String, reason: String)

    /// The error for a failed connect to `socketPath`.
    static func connecting(to socketPath: String, failure: UnixSocketError) -> JSONRPCClientError {
        guard case .systemCall(let error) = failure else {
            return .connectionFailed(socketPath: socketPath, reason: failure.description)
        }
        switch error.errno {
        case .noSuchFileOrDirectory, .connectionRefused, .notADirectory: return .notRunning(socketPath: socketPath)
        case .permissionDenied, .notPermitted: return .permissionDenied(socketPath: socketPath)
        default: return .connectionFailed(socketPath: socketPath, reason: error.description)
        }
    }

    /// What failed, in the terms of this layer: a program adds what its user can do about it
    /// (the flag that picks another socket, the server to start).
    public var description: String {
        switch self {
        case .notRunning(let path):
            return "no server is listening at \(path)"
        case .permissionDenied(let path):
            return "permission denied connecting to \(path): the socket belongs to another user"
        case let .connectionFailed(path, reason):
            return "cannot connect to \(path): \(reason)"
        case .server(let error):
            return error.message
        case let .connectionLost(path, reason):
            return "the connection to \(path) was lost before the server answered"
                + (reason.map { ": \($0)" } ?? " (did it stop or restart?)")
        case .closed:
            return "the client was closed before the call was answered"
        case .cancelled(let method):
            return "the call of \(method) was cancelled before it was answered"
        case let .unreadableResult(method, reason):
            return "the server answered \(method) with a result this client cannot read (\(reason))"
        }
    }
}

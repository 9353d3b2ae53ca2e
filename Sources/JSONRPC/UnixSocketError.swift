import SystemCalls

/// Why a Unix socket could not be set up or used.
public enum UnixSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the socket's lock file: a daemon is already serving `path`.
    case alreadyServing(path: String, pid: Int32?)
    /// The socket's directory belongs to another user, so it cannot be trusted.
    case directoryNotOwned(directory: String, ownerUID: UInt32, currentUID: UInt32)
    /// Other users may write to the socket's directory, so they could replace the socket.
    case directoryWritableByOthers(directory: String, mode: UInt32)
    /// Something other than a directory is where the socket's directory should be.
    case notADirectory(path: String)
    /// Something other than a socket is at the socket's path: it is left alone.
    case notASocket(path: String)
    /// The path does not fit in a Unix socket address.
    case pathTooLong(path: String, limit: Int)
    /// A system call failed.
    case systemCall(SystemCallError)
    /// The server was started twice, or after it was shut down.
    case alreadyStarted
    /// A descriptor passed by another process (a service manager) is not a listening Unix
    /// stream socket; the reason says what it is instead.
    case notAListeningUnixSocket(descriptor: Int32, reason: String)

    /// What failed, in the terms of this layer; ``remedy`` says what to do instead, in
    /// terms of "another path", which a program names by its own flag.
    public var description: String {
        switch self {
        case let .alreadyServing(path, pid):
            guard let pid else {
                return "something already listens at \(path) (another server, or a service manager's socket unit)"
            }
            return "another server is already serving \(path) (pid \(pid))"
        case let .directoryNotOwned(directory, ownerUID, currentUID):
            return "the socket directory \(directory) belongs to uid \(ownerUID), not to you (uid \(currentUID))"
        case let .directoryWritableByOthers(directory, mode):
            return "the socket directory \(directory) has mode \(String(mode, radix: 8)): other users could replace "
                + "the socket. Run `chmod go-w \(directory)`"
        case .notADirectory(let path):
            return "\(path) is not a directory, so it cannot hold the socket"
        case .notASocket(let path):
            return "\(path) exists and is not a socket; it was left alone"
        case let .pathTooLong(path, limit):
            return "the socket path \(path) is \(path.utf8.count) bytes, over the limit of \(limit) for a Unix socket"
        case .systemCall(let error):
            return error.description
        case .alreadyStarted:
            return "the server was already started; create a new one to serve again"
        case let .notAListeningUnixSocket(descriptor, reason):
            return "descriptor \(descriptor), passed by the service manager, cannot be served: \(reason)"
        }
    }

    /// How to get past the error, with `otherPath` naming the way to pick another socket
    /// path (a program's flag); nil when there is no remedy to give.
    public func remedy(otherPath: String) -> String? {
        switch self {
        case .alreadyServing: "stop it first, or \(otherPath)"
        case .directoryNotOwned: "\(otherPath) in a directory of your own"
        case .directoryWritableByOthers: "or \(otherPath) in a private directory"
        case .notADirectory, .pathTooLong: otherPath
        case .notASocket: "remove it, or \(otherPath)"
        case .systemCall, .alreadyStarted, .notAListeningUnixSocket: nil
        }
    }
}

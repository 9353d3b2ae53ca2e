import Glibc

/// A system call that failed, with its errno and the path it was about, if any.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call, as in its man page: "bind", "flock".
    public let call: String
    /// The errno it left.
    public let errno: Int32
    /// The file the call was about, if any.
    public let path: String?

    /// Creates an error for `call` with `errno`.
    public init(call: String, errno: Int32, path: String? = nil) {
        self.call = call
        self.errno = errno
        self.path = path
    }

    /// "bind(/run/x.sock) failed: Address already in use (errno 98)".
    public var description: String {
        let subject = path.map { "\(call)(\($0))" } ?? call
        return "\(subject) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs a system call that returns -1 and sets errno on failure, retrying while it fails
/// with `EINTR`.
@discardableResult
func retryingOnInterrupt<Result: BinaryInteger>(
    _ call: String, path: String? = nil, _ body: () -> Result
) throws(SystemCallError) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code != EINTR { throw SystemCallError(call: call, errno: code, path: path) }
    }
}

/// A system call that failed: which call, the error number it left, and the file it was about.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call as its man page names it: "open", "bind", "getsockopt(SO_PEERCRED)".
    public let call: String
    /// The error number the call left.
    public let errno: Errno
    /// The file or socket the call was about, if any.
    public let path: String?

    /// The failure of `call`, about `path` if given, with `errno`.
    public init(call: String, errno: Errno, path: String? = nil) {
        self.call = call
        self.errno = errno
        self.path = path
    }

    /// The failure of `call` with the calling thread's `errno` as it is now: build it on the
    /// line after the failing call.
    public static func lastError(of call: String, path: String? = nil) -> SystemCallError {
        SystemCallError(call: call, errno: .current, path: path)
    }

    /// "bind(/run/s.sock) failed: Address already in use (EADDRINUSE)", followed by what to do
    /// when the error number suggests something: "...: check the permissions of the file...".
    public var description: String {
        let subject = path.map { "\(call)(\($0))" } ?? call
        let failure = "\(subject) failed: \(errno) (\(errno.name))"
        return errno.remedy.map { "\(failure): \($0)" } ?? failure
    }
}

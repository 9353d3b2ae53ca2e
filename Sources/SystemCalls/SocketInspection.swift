import CSystemShims
import Glibc

/// What a descriptor this process was handed is: for a socket passed by another process
/// (a service manager's), which this process did not create and must check before using.
package enum SocketInspection {
    /// What kind of socket a descriptor is.
    package struct Kind: Sendable, Equatable {
        /// `SO_DOMAIN`: `AF_UNIX`, `AF_INET`, ...
        package var domain: Int32
        /// `SO_TYPE`: `SOCK_STREAM`, `SOCK_DGRAM`, ...
        package var type: Int32
        /// `SO_ACCEPTCONN`: whether `listen(2)` was called on it.
        package var isListening: Bool
    }

    /// Whether `descriptor` is open and refers to a socket (`fstat`).
    /// - Throws: ``SystemCallError`` of `fstat` (``Errno/badFileDescriptor`` when it is not open).
    package static func isSocket(_ descriptor: Int32) throws(SystemCallError) -> Bool {
        var status = stat()
        try retryingOnInterrupt("fstat(\(descriptor))") { fstat(descriptor, &status) }
        return status.st_mode & S_IFMT == S_IFSOCK
    }

    /// The domain, type and listening state of the socket `descriptor`.
    /// - Throws: ``SystemCallError`` of `getsockopt` (``Errno/notASocket`` for another file).
    package static func kind(of descriptor: Int32) throws(SystemCallError) -> Kind {
        Kind(domain: try integerOption(SO_DOMAIN, "SO_DOMAIN", of: descriptor),
             type: try integerOption(SO_TYPE, "SO_TYPE", of: descriptor),
             isListening: try integerOption(SO_ACCEPTCONN, "SO_ACCEPTCONN", of: descriptor) != 0)
    }

    /// The address the Unix socket `descriptor` is bound to: its path, `@name` for an abstract
    /// name, or "" when it has none.
    /// - Throws: ``SystemCallError`` of `getsockname` (`EAFNOSUPPORT` for another domain).
    package static func unixAddress(of descriptor: Int32) throws(SystemCallError) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let length = try retryingOnInterrupt("getsockname(\(descriptor))") {
            cshim_unix_socket_name(descriptor, &buffer, buffer.count)
        }
        return String(decoding: buffer[..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sets close-on-exec on `descriptor`, which this process inherited without it, so that
    /// no program it executes inherits it in turn.
    /// - Throws: ``SystemCallError`` of `fcntl` (``Errno/badFileDescriptor`` when it is not open).
    package static func setCloseOnExec(_ descriptor: Int32) throws(SystemCallError) {
        let flags = try retryingOnInterrupt("fcntl(\(descriptor), F_GETFD)") { fcntl(descriptor, F_GETFD) }
        try retryingOnInterrupt("fcntl(\(descriptor), F_SETFD)") { fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
    }

    private static func integerOption(_ option: Int32, _ name: String, of descriptor: Int32) throws(SystemCallError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        try retryingOnInterrupt("getsockopt(\(name))") { getsockopt(descriptor, SOL_SOCKET, option, &value, &length) }
        return value
    }
}

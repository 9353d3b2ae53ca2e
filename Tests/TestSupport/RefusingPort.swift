import Foundation
import Glibc

/// A TCP port of `127.0.0.1` that refuses every connection: a socket bound to it that never
/// listens, so `connect` fails with `ECONNREFUSED` at once and no other process can take the
/// port while the object lives. The socket is closed when the object goes away.
public final class RefusingPort: Sendable {
    /// The port number.
    public let port: UInt16
    private let descriptor: Int32

    /// Binds a socket to a free port of `127.0.0.1`, without listening.
    public init() throws(TestSupportError) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw .systemCallFailed(operation: "socket", target: "AF_INET", errno: errno)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(descriptor)
            throw .systemCallFailed(operation: "bind", target: "127.0.0.1:0", errno: code)
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(descriptor)
    }

    /// `http://127.0.0.1:<port>`.
    public var url: URL {
        URL(string: "http://127.0.0.1:\(port)")!
    }
}

import CSystemShims
import Glibc
import Synchronization
import SystemCalls

/// A listening TCP socket, IPv4 or IPv6, with `SO_REUSEADDR` (a restarted server can bind
/// the port while the last one's connections linger in TIME_WAIT) and close-on-exec.
final class TCPListener: Sendable {
    /// The address as bound: the port is the one the system chose when 0 was asked for.
    let address: HTTPListenAddress
    private let socket: FileDescriptor
    /// The listening socket as it was opened, for a watcher to find it closed or replaced.
    let descriptorIdentity: DescriptorIdentity?
    private let isStopped = Atomic<Bool>(false)

    /// Resolves `address` (the first address the resolver gives), binds it and listens with
    /// room for `backlog` connections not yet accepted.
    init(address: HTTPListenAddress, backlog: Int32) throws(HTTPServerError) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &results)
        guard status == 0, let first = results else {
            throw .unresolvableHost(address.host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }
        let info = first.pointee
        let name = address.description
        do throws(SystemCallError) {
            let socket = FileDescriptor(adopting: try retryingOnInterrupt("socket", path: name) {
                Glibc.socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
            })
            var one: Int32 = 1
            try retryingOnInterrupt("setsockopt(SO_REUSEADDR)", path: name) {
                setsockopt(socket.rawValue, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
            try retryingOnInterrupt("bind", path: name) { bind(socket.rawValue, info.ai_addr, info.ai_addrlen) }
            try retryingOnInterrupt("listen", path: name) { listen(socket.rawValue, backlog) }
            self.address = try TCPConnection.address(of: socket.rawValue, peer: false)
            descriptorIdentity = try? DescriptorIdentity(of: socket.rawValue, role: "the HTTP listening socket \(address)")
            self.socket = socket
        } catch {
            throw .systemCall(error)
        }
    }

    /// Blocks until a client connects, and returns the connection.
    /// - Throws: `EINVAL` once ``stopAccepting()`` was called; other errors of `accept4`.
    func accept() throws(SystemCallError) -> TCPConnection {
        let connection = try retryingOnInterrupt("accept4", path: address.description) { cshim_accept_cloexec(socket.rawValue) }
        return TCPConnection(adopting: FileDescriptor(adopting: connection))
    }

    /// Wakes a thread blocked in ``accept()`` (it fails with `EINVAL`) and refuses new
    /// clients from now on. Safe to call more than once.
    func stopAccepting() {
        guard !isStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR))
    }

    deinit {
        stopAccepting()
    }
}

import CSystemShims
import Glibc
import SystemCalls

/// One accepted TCP connection, the transport of plain HTTP: reads that wait until a
/// deadline, whole writes, and a shutdown that wakes a reader. The descriptor is closed when the last reference goes.
final class TCPConnection: HTTPTransport {
    /// The client's address, `host:port`; empty when the system could not tell.
    let remoteAddress: String
    private let socket: FileDescriptor

    init(adopting socket: consuming FileDescriptor) {
        var one: Int32 = 1
        // Responses are written whole; small ones should not wait for the client's ACK.
        setsockopt(socket.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        remoteAddress = (try? Self.address(of: socket.rawValue, peer: true).description) ?? ""
        self.socket = socket
    }

    /// Bounds every write: a client that reads nothing for `limit` makes it fail.
    func setWriteTimeout(_ limit: Duration) {
        var value = limit.timeval
        setsockopt(socket.rawValue, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The descriptor, for the TLS session over the connection (``TLSConnection``); this
    /// connection closes it.
    var descriptor: Int32 { socket.rawValue }

    /// What waiting for a socket to be readable or writable gave.
    enum Readiness {
        /// It is (or it failed, which the next read or write tells).
        case ready
        /// The deadline passed first.
        case timedOut
        /// The wait itself failed.
        case failed
    }

    /// Waits until the socket is readable (`POLLIN`) or writable (`POLLOUT`), until
    /// `deadline` at most.
    func wait(for events: Int32, before deadline: ContinuousClock.Instant) -> Readiness {
        var entry = pollfd(fd: socket.rawValue, events: Int16(events), revents: 0)
        do throws(SystemCallError) {
            let ready = try retryingOnInterrupt("poll") { poll(&entry, 1, (deadline - .now).millisecondsRoundedUp) }
            return ready > 0 ? .ready : .timedOut
        } catch {
            return .failed
        }
    }

    /// Makes reads and writes return at once (`O_NONBLOCK`) instead of waiting: for a TLS
    /// session, which waits with ``wait(for:before:)`` outside its lock.
    func makeNonBlocking() {
        let flags = fcntl(socket.rawValue, F_GETFL)
        _ = fcntl(socket.rawValue, F_SETFL, flags | O_NONBLOCK)
    }

    /// Reads what is there, waiting until `deadline` at most.
    func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome {
        switch wait(for: POLLIN, before: deadline) {
        case .ready: break
        case .timedOut: return .timedOut
        case .failed: return .end
        }
        guard let count = try? socket.read(into: buffer), count > 0 else { return .end }
        return .bytes(count)
    }

    /// Whether the client has closed its end of the connection (or it broke): a client that
    /// goes away while its request is answered, as a browser tab closed or a `curl` stopped.
    var clientHasClosed: Bool {
        (try? retryingOnInterrupt("poll") { cshim_peer_closed(socket.rawValue) }) != 0
    }
    /// Nothing to do: the connection is ready for requests once accepted.
    func establish(before deadline: ContinuousClock.Instant) -> Bool { true }

    /// Writes all of `bytes`; false when the client has gone or stopped reading.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        let outcome = bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemCallError) in try socket.sendAll(buffer) }
        }
        if case .success = outcome { return true }
        return false
    }

    /// Closes the connection after an answer that the client, still sending, might not have
    /// read yet: ends the writing direction, then reads and drops what the client still sends,
    /// until it closes or for `limit` at most. Closing with unread bytes would reset the
    /// connection, and the reset can destroy the answer before the client reads it.
    func closeLingering(for limit: Duration) {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + limit
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
        defer { scratch.deallocate() }
        while case .bytes = read(into: scratch, before: deadline) {}
        shutdown()
    }

    /// Ends both directions; a blocked ``read(into:before:)`` returns at once.
    func shutdown() {
        _ = Glibc.shutdown(socket.rawValue, Int32(SHUT_RDWR))
    }

    /// The address of `descriptor`'s own end (`getsockname`), or of its peer's (`getpeername`).
    static func address(of descriptor: Int32, peer: Bool) throws(SystemCallError) -> HTTPListenAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(SystemCallError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SystemCallError) in
                try retryingOnInterrupt(peer ? "getpeername" : "getsockname") {
                    peer ? getpeername(descriptor, address, &length) : getsockname(descriptor, address, &length)
                }
            }
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var raw = address.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return HTTPListenAddress(host: Self.string(text), port: UInt16(bigEndian: address.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return HTTPListenAddress(host: Self.string(text), port: UInt16(bigEndian: address.pointee.sin6_port))
                }
            }
        default:
            return HTTPListenAddress(host: "", port: 0)
        }
    }

    /// The text `inet_ntop` left in `characters`, up to its NUL.
    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}


import Glibc
import SystemCalls

/// A connected, non-blocking TCP socket whose every wait is bounded by a deadline and
/// cut short by a cancellation. Closed when it goes out of scope.
struct TCPSocket: ~Copyable {
    /// The socket's file descriptor.
    let descriptor: FileDescriptor

    /// Connects to the first of `addresses` that accepts, trying them in order.
    ///
    /// - Throws: ``HTTPTransportError/connectionRefused`` or
    ///   ``HTTPTransportError/connectFailed(reason:)`` for the last address when none
    ///   accepts, `deadline`'s failure, or ``HTTPTransportError/cancelled``.
    static func connect(
        to addresses: [SocketAddress], until deadline: Deadline, cancellation: PollableSignal
    ) throws(HTTPTransportError) -> TCPSocket {
        var lastFailure = HTTPTransportError.connectFailed(reason: "the host has no address")
        for address in addresses {
            let socket = try open(for: address)
            switch try socket.attemptConnection(to: address, until: deadline, cancellation: cancellation) {
            case nil:
                socket.disableNagle()
                return socket
            case let failure?:
                lastFailure = failure
            }
        }
        throw lastFailure
    }

    /// A new non-blocking, close-on-exec stream socket for `address`'s family.
    private static func open(for address: SocketAddress) throws(HTTPTransportError) -> TCPSocket {
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        do throws(SystemCallError) {
            let rawValue = try retryingOnInterrupt("socket") { socket(address.family, type, address.protocolNumber) }
            return TCPSocket(descriptor: FileDescriptor(adopting: rawValue))
        } catch {
            throw .ioFailed(reason: "cannot create a socket: \(error.errno)")
        }
    }

    /// Connects to `address`; returns why it failed, or `nil` once connected.
    private func attemptConnection(
        to address: SocketAddress, until deadline: Deadline, cancellation: PollableSignal
    ) throws(HTTPTransportError) -> HTTPTransportError? {
        // Not retried on EINTR: a second connect(2) would fail with EALREADY. An interrupted
        // non-blocking connect goes on in the background, like one in progress.
        let started = address.withSocketAddress { pointer, length in
            Result { () throws(SystemCallError) in
                try callingOnce("connect") { Glibc.connect(descriptor.rawValue, pointer, length) }
            }
        }
        switch started {
        case .success:
            return nil
        case let .failure(error) where ![.inProgress, .interrupted, .alreadyInProgress].contains(error.errno):
            return Self.connectFailure(error.errno)
        case .failure:
            try Readiness.wait(for: descriptor.rawValue, events: POLLOUT, until: deadline, cancellation: cancellation)
        }
        var pending: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        do throws(SystemCallError) {
            try retryingOnInterrupt("getsockopt(SO_ERROR)") {
                getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &pending, &length)
            }
        } catch {
            return .connectFailed(reason: error.errno.description)
        }
        return pending == 0 ? nil : Self.connectFailure(Errno(rawValue: pending))
    }

    private static func connectFailure(_ errno: Errno) -> HTTPTransportError {
        errno == .connectionRefused ? .connectionRefused : .connectFailed(reason: errno.description)
    }

    /// Sends requests as soon as they are written: each is written whole, in one go.
    private func disableNagle() {
        var on: Int32 = 1
        _ = setsockopt(descriptor.rawValue, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends all of `bytes`.
    ///
    /// - Throws: ``HTTPTransportError/connectionLost(reason:)`` when the server has
    ///   closed or reset the connection, `deadline`'s failure, or ``HTTPTransportError/cancelled``.
    func send(_ bytes: [UInt8], until deadline: Deadline, cancellation: PollableSignal) throws(HTTPTransportError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Result { () throws(SystemCallError) in
                    try retryingOnInterrupt("send") {
                        Glibc.send(descriptor.rawValue, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            switch sent {
            case let .success(count):
                offset += count
            case let .failure(error) where error.errno == .wouldBlock:
                try Readiness.wait(for: descriptor.rawValue, events: POLLOUT, until: deadline, cancellation: cancellation)
            case let .failure(error):
                throw Self.transferFailure(error, while: "sending the request")
            }
        }
    }

    /// Receives what has arrived into `buffer`, waiting for at least one byte.
    ///
    /// - Returns: the number of bytes received; 0 once the server has closed its side.
    /// - Throws: ``HTTPTransportError/connectionLost(reason:)`` when the connection was
    ///   reset, `deadline`'s failure, or ``HTTPTransportError/cancelled``.
    func receive(into buffer: UnsafeMutableRawBufferPointer, until deadline: Deadline, cancellation: PollableSignal) throws(HTTPTransportError) -> Int {
        while true {
            // Checked before each read too, so that a fast server cannot keep a cancelled
            // exchange going.
            if cancellation.hasFired { throw .cancelled }
            do throws(SystemCallError) {
                return try retryingOnInterrupt("recv") { recv(descriptor.rawValue, buffer.baseAddress, buffer.count, 0) }
            } catch where error.errno == .wouldBlock {
                try Readiness.wait(for: descriptor.rawValue, events: POLLIN, until: deadline, cancellation: cancellation)
            } catch {
                throw Self.transferFailure(error, while: "receiving the answer")
            }
        }
    }

    private static func transferFailure(_ error: SystemCallError, while activity: String) -> HTTPTransportError {
        switch error.errno {
        case .connectionReset, .brokenPipe:
            .connectionLost(reason: "the server closed or reset the connection while \(activity)")
        default:
            .ioFailed(reason: "\(activity) failed: \(error.errno)")
        }
    }
}

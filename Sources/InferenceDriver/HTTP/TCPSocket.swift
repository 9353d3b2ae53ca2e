import Glibc

/// A connected, non-blocking TCP socket whose every wait is bounded by a deadline and
/// cut short by a cancellation. Closed when it goes out of scope.
struct TCPSocket: ~Copyable {
    /// The socket's file descriptor.
    let fileDescriptor: Int32

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit {
        // Never retried: on Linux the descriptor is released even when close reports EINTR.
        close(fileDescriptor)
    }

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
        switch SystemError.retryingInterrupted({ socket(address.family, type, address.protocolNumber) }) {
        case let .success(descriptor):
            return TCPSocket(fileDescriptor: descriptor)
        case let .failure(error):
            throw .ioFailed(reason: "cannot create a socket: \(error)")
        }
    }

    /// Connects to `address`; returns why it failed, or `nil` once connected.
    private func attemptConnection(
        to address: SocketAddress, until deadline: Deadline, cancellation: PollableSignal
    ) throws(HTTPTransportError) -> HTTPTransportError? {
        // Not retried on EINTR: a second connect(2) would fail with EALREADY. An interrupted
        // non-blocking connect goes on in the background, like one in progress.
        let started = address.withSocketAddress { pointer, length in
            SystemError.once { Glibc.connect(fileDescriptor, pointer, length) }
        }
        switch started {
        case .success:
            return nil
        case let .failure(error) where ![EINPROGRESS, EINTR, EALREADY].contains(error.code):
            return Self.connectFailure(error)
        case .failure:
            try Readiness.wait(for: fileDescriptor, events: POLLOUT, until: deadline, cancellation: cancellation)
            var pending: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if case let .failure(error) = SystemError.retryingInterrupted({
                getsockopt(fileDescriptor, SOL_SOCKET, SO_ERROR, &pending, &length)
            }) {
                return .connectFailed(reason: "\(error)")
            }
            return pending == 0 ? nil : Self.connectFailure(SystemError(code: pending))
        }
    }

    private static func connectFailure(_ error: SystemError) -> HTTPTransportError {
        error.code == ECONNREFUSED ? .connectionRefused : .connectFailed(reason: error.description)
    }

    /// Sends requests as soon as they are written: each is written whole, in one go.
    private func disableNagle() {
        var on: Int32 = 1
        _ = setsockopt(fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends all of `bytes`.
    ///
    /// - Throws: ``HTTPTransportError/connectionLost(reason:)`` when the server has
    ///   closed or reset the connection, `deadline`'s failure, or ``HTTPTransportError/cancelled``.
    func send(_ bytes: [UInt8], until deadline: Deadline, cancellation: PollableSignal) throws(HTTPTransportError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                SystemError.retryingInterrupted {
                    Glibc.send(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            switch result {
            case let .success(sent):
                offset += sent
            case let .failure(error) where error.code == EAGAIN || error.code == EWOULDBLOCK:
                try Readiness.wait(for: fileDescriptor, events: POLLOUT, until: deadline, cancellation: cancellation)
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
            let result = SystemError.retryingInterrupted { recv(fileDescriptor, buffer.baseAddress, buffer.count, 0) }
            switch result {
            case let .success(count):
                return count
            case let .failure(error) where error.code == EAGAIN || error.code == EWOULDBLOCK:
                try Readiness.wait(for: fileDescriptor, events: POLLIN, until: deadline, cancellation: cancellation)
            case let .failure(error):
                throw Self.transferFailure(error, while: "receiving the answer")
            }
        }
    }

    private static func transferFailure(_ error: SystemError, while activity: String) -> HTTPTransportError {
        switch error.code {
        case ECONNRESET, EPIPE:
            .connectionLost(reason: "the server closed or reset the connection while \(activity)")
        default:
            .ioFailed(reason: "\(activity) failed: \(error)")
        }
    }
}

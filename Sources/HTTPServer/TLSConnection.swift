import CSSL
import Glibc
import Synchronization

/// A TLS session over an accepted TCP connection: the transport of HTTPS.
///
/// The socket is nonblocking; every OpenSSL call on the session is made under its lock and
/// returns at once, and a call that needs the socket readable or writable waits for it in
/// `poll`, outside the lock, until its deadline. So the connection's reader and its writer
/// can use the session at once (OpenSSL allows one call at a time), a reader waiting for the
/// client's next request never holds up a response being written, and the deadlines of
/// plain HTTP (the idle and request timeouts, the write timeout) hold the same way.
final class TLSConnection: HTTPTransport {
    let remoteAddress: String
    private let socket: TCPConnection
    /// Held for the session's life: its OpenSSL context and the method of its BIO.
    private let context: TLSServerContext
    private let session: Mutex<Session>
    /// How long a write may wait for a client that reads nothing.
    private let writeTimeout: Duration

    /// The `SSL` object, freed with the session.
    private struct Session: ~Copyable {
        let ssl: OpaquePointer
        /// Whether the handshake is done, after which a close sends `close_notify`.
        var isEstablished = false

        deinit {
            SSL_free(ssl)
        }
    }

    /// What one OpenSSL call on the session gave.
    private enum Step {
        /// This many bytes were read or written.
        case done(Int)
        /// The socket must be readable (`POLLIN`) or writable (`POLLOUT`) before the call is repeated.
        case wait(Int32)
        /// The client closed the session (`close_notify`).
        case closed
        /// The connection or the session failed: nothing more may be sent on it, not even
        /// `close_notify`.
        case failed
    }

    /// A server-side session of `context` over `socket`, which it makes nonblocking, whose
    /// writes wait `writeTimeout` at most; nil when OpenSSL cannot make one.
    init?(socket: TCPConnection, context: TLSServerContext, writeTimeout: Duration) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard let bio = cssl_socket_new(context.socketMethod, socket.descriptor) else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_bio(ssl, bio, bio)
        SSL_set_accept_state(ssl)
        socket.makeNonBlocking()
        self.socket = socket
        self.context = context
        self.writeTimeout = writeTimeout
        remoteAddress = socket.remoteAddress
        session = Mutex(Session(ssl: ssl))
    }

    /// The handshake. A client that speaks plain HTTP to the port gets a plain `400` that
    /// says to use https, and is closed.
    func establish(before deadline: ContinuousClock.Instant) -> Bool {
        while true {
            let outcome = session.withLock { session -> (step: Step, isPlainHTTP: Bool) in
                ERR_clear_error()
                let result = SSL_do_handshake(session.ssl)
                if result == 1 {
                    session.isEstablished = true
                    return (.done(0), false)
                }
                let step = Self.step(after: result, on: &session)
                let isPlainHTTP = cssl_error_reason(ERR_peek_error()) == SSL_R_HTTP_REQUEST
                ERR_clear_error()
                return (step, isPlainHTTP)
            }
            switch outcome.step {
            case .done:
                return true
            case .wait(let events):
                guard socket.wait(for: events, before: deadline) == .ready else { return false }
            case .closed, .failed:
                if outcome.isPlainHTTP { refusePlainHTTP() }
                return false
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .end }
        // As an address: the pointer, not Sendable, may not enter the lock's region.
        let address = UInt(bitPattern: base)
        let length = buffer.count
        while true {
            let step = session.withLock { session -> Step in
                ERR_clear_error()
                var count = 0
                let result = SSL_read_ex(session.ssl, UnsafeMutableRawPointer(bitPattern: address), length, &count)
                return result == 1 ? .done(count) : Self.step(after: result, on: &session)
            }
            switch step {
            case .done(let count):
                return .bytes(count)
            case .wait(let events):
                switch socket.wait(for: events, before: deadline) {
                case .ready: continue
                case .timedOut: return .timedOut
                case .failed: return .end
                }
            case .closed, .failed:
                return .end
            }
        }
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            // As an address: the pointer, not Sendable, may not enter the lock's region.
            var next = UInt(bitPattern: base)
            var remaining = buffer.count
            var deadline = ContinuousClock.now + writeTimeout
            while remaining > 0 {
                let step = session.withLock { [next, remaining] session -> Step in
                    ERR_clear_error()
                    var count = 0
                    let result = SSL_write_ex(session.ssl, UnsafeRawPointer(bitPattern: next), remaining, &count)
                    return result == 1 ? .done(count) : Self.step(after: result, on: &session)
                }
                switch step {
                case .done(let count):
                    next += UInt(count)
                    remaining -= count
                    deadline = .now + writeTimeout
                case .wait(let events):
                    guard socket.wait(for: events, before: deadline) == .ready else { return false }
                case .closed, .failed:
                    return false
                }
            }
            return true
        }
    }

    func closeLingering(for limit: Duration) {
        sendCloseNotify()
        socket.closeLingering(for: limit)
    }

    var clientHasClosed: Bool { socket.clientHasClosed }

    func shutdown() {
        sendCloseNotify()
        socket.shutdown()
    }

    /// Tells the client the session ends (`close_notify`), once and without waiting, so that
    /// it can tell the end from a cut connection.
    private func sendCloseNotify() {
        session.withLock { session in
            guard session.isEstablished else { return }
            session.isEstablished = false
            ERR_clear_error()
            _ = SSL_shutdown(session.ssl)
            ERR_clear_error()
        }
    }

    /// Answers a client that sent plain HTTP to the TLS port, in plain HTTP.
    private func refusePlainHTTP() {
        socket.send(HTTPResponseHead.refusal(
            .badRequest, "this port speaks HTTPS (TLS): ask for https://, not http://"))
        socket.closeLingering(for: HTTPServer.lingerAfterRefusal)
    }

    /// What a failed call (`result` below 1) on `session` means; a failure marks the
    /// session as one no `close_notify` is sent on.
    private static func step(after result: Int32, on session: inout Session) -> Step {
        switch SSL_get_error(session.ssl, result) {
        case SSL_ERROR_WANT_READ:
            return .wait(POLLIN)
        case SSL_ERROR_WANT_WRITE:
            return .wait(POLLOUT)
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            session.isEstablished = false
            return .failed
        }
    }
}

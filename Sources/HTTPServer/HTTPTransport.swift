/// What an ``HTTPServer``'s connection carries its requests and responses over: the plain
/// TCP connection (``TCPConnection``), or a TLS session over it (``TLSConnection``). The
/// server reads, writes, times out and closes the same way over either.
///
/// Reads happen on the connection's thread, writes on its write queue (and on the thread
/// for `100 Continue` and refusals), ``shutdown()`` on any thread: an implementation is safe
/// for all of them at once.
protocol HTTPTransport: AnyObject, Sendable {
    /// The client's address, `host:port`; empty when the system could not tell.
    var remoteAddress: String { get }

    /// Readies the connection for its first request (the TLS handshake), waiting until
    /// `deadline` at most; false when it cannot be, and the connection is to be closed.
    func establish(before deadline: ContinuousClock.Instant) -> Bool

    /// Reads what is there, up to `buffer.count` bytes, waiting until `deadline` at most.
    func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome

    /// Writes all of `bytes`; false when the client has gone or stopped reading for longer
    /// than the write timeout.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool

    /// Closes the connection after an answer that the client, still sending, might not have
    /// read yet: reads and drops what it sends for `limit` at most, so that no reset
    /// destroys the answer.
    func closeLingering(for limit: Duration)

    /// Whether the client has closed its end of the connection (or it broke): a client that
    /// went away while its request is answered.
    var clientHasClosed: Bool { get }

    /// Ends the connection; a blocked ``read(into:before:)`` returns at once.
    func shutdown()
}

/// A connection's transport as the byte source of its requests.
struct HTTPTransportByteSource: HTTPByteSource {
    let transport: any HTTPTransport

    mutating func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome {
        transport.read(into: buffer, before: deadline)
    }
}

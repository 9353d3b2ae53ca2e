/// What an ``HTTPServer`` accepts from a client, and how long it waits for one: the limits a
/// port open to the network needs.
public struct HTTPServerLimits: Sendable, Equatable {
    /// The longest request line and header fields together, in bytes, with their line ends;
    /// beyond it the answer is 431.
    public var maximumHeadBytes: Int
    /// The most header fields (and trailer fields of a chunked body) of one request; beyond
    /// it the answer is 431.
    public var maximumHeaderCount: Int
    /// The largest request body, in bytes, whether announced by `Content-Length` or sent in
    /// chunks; beyond it the answer is 413.
    public var maximumBodyBytes: Int
    /// How long a connection may wait without sending the first byte of its next request
    /// before it is closed (without an answer: nothing was asked).
    public var idleTimeout: Duration
    /// How long a client may take to send one whole request, from its first byte to the end
    /// of its body; beyond it the answer is 408 and the connection is closed. Also the
    /// longest a response's write may wait for a client that does not read, and over TLS
    /// the longest a new connection's handshake may take (beyond it, it is closed).
    public var requestTimeout: Duration
    /// The most connections served at once; a client beyond it gets 503 with
    /// ``retryAfterSeconds`` and is closed at once (over TLS, closed without an answer,
    /// which would need a handshake first).
    public var maximumConnections: Int
    /// The `Retry-After` of a 503, in seconds.
    public var retryAfterSeconds: Int

    /// The limits, each with a default fit for an API on a public port.
    public init(maximumHeadBytes: Int = 16 << 10, maximumHeaderCount: Int = 100, maximumBodyBytes: Int = 8 << 20,
                idleTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30),
                maximumConnections: Int = 256, retryAfterSeconds: Int = 1) {
        self.maximumHeadBytes = maximumHeadBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumBodyBytes = maximumBodyBytes
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumConnections = maximumConnections
        self.retryAfterSeconds = retryAfterSeconds
    }
}

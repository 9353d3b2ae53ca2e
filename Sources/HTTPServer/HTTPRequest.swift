/// A request as the server read it: its head, its whole body, and where it came from.
public struct HTTPRequest: Sendable, Equatable {
    /// The method, such as "GET", exactly as sent (methods are case-sensitive).
    public var method: String
    /// The request target as sent, such as `/v1/skills?limit=5`.
    public var target: String
    /// The path, percent-decoded, without `.` or `..` segments (they are refused); `*` for
    /// `OPTIONS *`.
    public var path: String
    /// The query after `?`, still percent-encoded; nil when the target has no `?`.
    public var query: String?
    /// The version the client spoke.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body, de-chunked; empty when there is none.
    public var body: [UInt8]
    /// The client's address, `host:port` (`[v6]:port`); empty when not over a socket.
    public var remoteAddress: String

    /// A request of these parts.
    public init(method: String, target: String, path: String, query: String? = nil, version: HTTPVersion = .http1_1,
                headers: HTTPHeaders = [:], body: [UInt8] = [], remoteAddress: String = "") {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// Whether the client wants the connection kept open after the response: HTTP/1.1
    /// unless it sent `Connection: close`, HTTP/1.0 only when it sent `Connection: keep-alive`.
    public var wantsKeepAlive: Bool {
        let connection = headers.tokens(named: "Connection")
        switch version {
        case .http1_1: return !connection.contains("close")
        case .http1_0: return connection.contains("keep-alive") && !connection.contains("close")
        }
    }
}

/// The versions of HTTP/1 the server speaks.
public enum HTTPVersion: String, Sendable, Equatable {
    /// HTTP/1.0: the connection closes after each response unless the client asks for
    /// `Connection: keep-alive`; a streamed body ends with the connection.
    case http1_0 = "HTTP/1.0"
    /// HTTP/1.1: connections stay open unless a side says `Connection: close`.
    case http1_1 = "HTTP/1.1"
}

/// A response a handler gives: its status, its header fields, and its body, whole or streamed.
///
/// The server frames it: it sets `Content-Length` for a whole body, `Transfer-Encoding:
/// chunked` for a streamed one (or, to an HTTP/1.0 client, ends a streamed body by closing
/// the connection), `Connection` and `Date`; a handler's own fields of these names are
/// replaced.
public struct HTTPResponse: Sendable {
    /// The body of a response.
    public enum Body: Sendable {
        /// All of it at once.
        case bytes([UInt8])
        /// Written piece by piece by the closure, each piece sent to the client as it is
        /// written; the body ends when the closure returns.
        case stream(@Sendable (HTTPResponseBodyWriter) async -> Void)
    }

    /// The status.
    public var status: HTTPStatus
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body

    /// A response with a whole body (none by default).
    public init(status: HTTPStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    /// A response whose body `write` streams: for `text/event-stream`, each event written is
    /// sent at once.
    public init(status: HTTPStatus, headers: HTTPHeaders = [:],
                streaming write: @escaping @Sendable (HTTPResponseBodyWriter) async -> Void) {
        self.status = status
        self.headers = headers
        body = .stream(write)
    }

    /// A `text/plain` response of `text` and a newline.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array((text + "\n").utf8))
    }
}

/// How a streamed response's body reaches the client: each ``write(_:)`` is sent at once.
public final class HTTPResponseBodyWriter: Sendable {
    private let send: @Sendable ([UInt8]) async -> Bool
    private let isChunked: Bool

    init(isChunked: Bool, send: @escaping @Sendable ([UInt8]) async -> Bool) {
        self.isChunked = isChunked
        self.send = send
    }

    /// Sends `bytes` to the client now (as one chunk of a chunked body); nothing for none.
    /// - Throws: ``HTTPClientGone`` once the client has gone: the handler should stop.
    public func write(_ bytes: [UInt8]) async throws(HTTPClientGone) {
        guard !bytes.isEmpty else { return }
        let framed = isChunked ? Array(String(bytes.count, radix: 16).utf8) + [0x0D, 0x0A] + bytes + [0x0D, 0x0A] : bytes
        guard await send(framed) else { throw HTTPClientGone() }
    }

    /// Sends `text` in UTF-8, as ``write(_:)``.
    public func write(_ text: String) async throws(HTTPClientGone) {
        try await write(Array(text.utf8))
    }
}

/// The client of a streamed response closed its connection, or stopped reading for longer
/// than the request timeout.
public struct HTTPClientGone: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error.
    public init() {}

    /// What happened.
    public var description: String { "the HTTP client has gone" }
}

/// An HTTP status: its code and the reason phrase sent with it.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The three-digit code, such as 404.
    public let code: Int
    /// The reason phrase, such as "Not Found".
    public let reason: String

    /// The status `code` with `reason`.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// "404 Not Found".
    public var description: String { "\(code) \(reason)" }

    /// 100: the client may send the body it announced with `Expect: 100-continue`.
    public static let `continue` = HTTPStatus(code: 100, reason: "Continue")
    /// 200.
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    /// 204.
    public static let noContent = HTTPStatus(code: 204, reason: "No Content")
    /// 400: the request is malformed.
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    /// 401.
    public static let unauthorized = HTTPStatus(code: 401, reason: "Unauthorized")
    /// 403.
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    /// 404.
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    /// 405.
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    /// 408: the client took too long to send its request.
    public static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout")
    /// 413: the body is over the limit.
    public static let contentTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    /// 417: an `Expect` the server cannot meet.
    public static let expectationFailed = HTTPStatus(code: 417, reason: "Expectation Failed")
    /// 431: the request line and headers are over the limit.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    /// 500.
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    /// 501: a `Transfer-Encoding` the server does not implement.
    public static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    /// 503: the server serves as many connections as it may, or is shutting down.
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    /// 505: an HTTP version other than 1.0 and 1.1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}

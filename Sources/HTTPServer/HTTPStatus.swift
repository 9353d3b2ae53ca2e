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

    /// The status `code` with its standard reason phrase ("Unknown" for a code that has none here).
    public init(code: Int) {
        self = Self.known.first { $0.code == code } ?? HTTPStatus(code: code, reason: "Unknown")
    }

    /// "404 Not Found".
    public var description: String { "\(code) \(reason)" }

    /// 100: the client may send the body it announced with `Expect: 100-continue`.
    public static let `continue` = HTTPStatus(code: 100, reason: "Continue")
    /// 200.
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    /// 202: the message is taken, and nothing more is to be said of it.
    public static let accepted = HTTPStatus(code: 202, reason: "Accepted")
    /// 204.
    public static let noContent = HTTPStatus(code: 204, reason: "No Content")
    /// 303: the answer is elsewhere, to be fetched with `GET` (after a form is posted).
    public static let seeOther = HTTPStatus(code: 303, reason: "See Other")
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
    /// 409: the request conflicts with the state of what it names.
    public static let conflict = HTTPStatus(code: 409, reason: "Conflict")
    /// 406: the route cannot answer in any media type the client accepts.
    public static let notAcceptable = HTTPStatus(code: 406, reason: "Not Acceptable")
    /// 408: the client took too long to send its request.
    public static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout")
    /// 413: the body is over the limit.
    public static let contentTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    /// 415: a body of a type the route does not take.
    public static let unsupportedMediaType = HTTPStatus(code: 415, reason: "Unsupported Media Type")
    /// 417: an `Expect` the server cannot meet.
    public static let expectationFailed = HTTPStatus(code: 417, reason: "Expectation Failed")
    /// 422: a body that is well-formed but cannot be used.
    public static let unprocessableContent = HTTPStatus(code: 422, reason: "Unprocessable Content")
    /// 431: the request line and headers are over the limit.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    /// 500.
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    /// 501: a `Transfer-Encoding` the server does not implement.
    public static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    /// 502: a server behind this one failed.
    public static let badGateway = HTTPStatus(code: 502, reason: "Bad Gateway")
    /// 503: the server serves as many connections as it may, or is shutting down.
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    /// 504: a deadline passed waiting for work behind this server.
    public static let gatewayTimeout = HTTPStatus(code: 504, reason: "Gateway Timeout")
    /// 505: an HTTP version other than 1.0 and 1.1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")

    /// Every status declared here, for ``init(code:)``.
    private static let known: [HTTPStatus] = [
        .continue, .ok, .accepted, .noContent, .seeOther, .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .notAcceptable, .requestTimeout,
        .conflict, .contentTooLarge, .unsupportedMediaType, .expectationFailed, .unprocessableContent,
        .requestHeaderFieldsTooLarge, .internalServerError, .notImplemented, .badGateway, .serviceUnavailable,
        .gatewayTimeout, .httpVersionNotSupported,
    ]
}

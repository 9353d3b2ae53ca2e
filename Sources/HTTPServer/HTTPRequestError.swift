/// Why a request could not be read: each case is answered with its ``status`` and the
/// connection is closed, since what follows on it can no longer be framed.
public enum HTTPRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request line and headers are longer than the limit (431).
    case headTooLarge(limit: Int)
    /// More header (or trailer) fields than the limit (431).
    case tooManyHeaders(limit: Int)
    /// The request line is not `METHOD TARGET HTTP/1.x` (400).
    case malformedRequestLine
    /// A header line is not `name: value`, or folds onto the next line (400).
    case malformedHeader(reason: String)
    /// A version of HTTP other than 1.0 and 1.1 (505).
    case unsupportedVersion(String)
    /// An HTTP/1.1 request without `Host` (400).
    case missingHost
    /// A `Content-Length` that is not one decimal number (400).
    case invalidContentLength
    /// Both `Content-Length` and `Transfer-Encoding`, which could frame the body two ways (400).
    case conflictingBodyLengths
    /// A transfer coding other than `chunked` (501).
    case unsupportedTransferEncoding(String)
    /// An `Expect` other than `100-continue` (417).
    case unsupportedExpectation(String)
    /// The body is larger than the limit (413).
    case bodyTooLarge(limit: Int)
    /// The chunked body is malformed (400).
    case malformedChunk(reason: String)
    /// The connection ended before the whole body arrived (400).
    case incompleteBody
    /// The target is not a path the server can serve (400).
    case invalidTarget(reason: String)
    /// The path has a `.` or `..` segment, written out or percent-encoded: it is refused,
    /// never resolved (400).
    case dotSegment
    /// The client took longer than the request timeout to send the request (408).
    case timedOut(limit: Duration)

    /// The status the request is answered with.
    public var status: HTTPStatus {
        switch self {
        case .headTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .malformedRequestLine, .malformedHeader, .missingHost, .invalidContentLength, .conflictingBodyLengths,
             .malformedChunk, .incompleteBody, .invalidTarget, .dotSegment:
            .badRequest
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedTransferEncoding: .notImplemented
        case .unsupportedExpectation: .expectationFailed
        case .bodyTooLarge: .contentTooLarge
        case .timedOut: .requestTimeout
        }
    }

    /// What was wrong, for the client: the body of the error response.
    public var description: String {
        switch self {
        case .headTooLarge(let limit): "the request line and headers are over the limit of \(limit) bytes"
        case .tooManyHeaders(let limit): "the request has more than \(limit) header fields"
        case .malformedRequestLine: "the request line is not `METHOD /path HTTP/1.1`"
        case .malformedHeader(let reason): "a header field is malformed: \(reason)"
        case .unsupportedVersion(let version): "\(version) is not supported; use HTTP/1.1 or HTTP/1.0"
        case .missingHost: "an HTTP/1.1 request needs a Host header"
        case .invalidContentLength: "Content-Length must be one decimal number of bytes"
        case .conflictingBodyLengths: "a request may not have both Content-Length and Transfer-Encoding"
        case .unsupportedTransferEncoding(let coding): "Transfer-Encoding \(coding) is not supported; only chunked is"
        case .unsupportedExpectation(let expectation): "Expect: \(expectation) is not supported; only 100-continue is"
        case .bodyTooLarge(let limit): "the request body is over the limit of \(limit) bytes"
        case .malformedChunk(let reason): "the chunked body is malformed: \(reason)"
        case .incompleteBody: "the connection ended before the whole request body arrived"
        case .invalidTarget(let reason): "the request target is not valid: \(reason)"
        case .dotSegment: "the path may not contain `.` or `..` segments, plain or percent-encoded"
        case .timedOut(let limit): "the request was not sent completely within \(limit)"
        }
    }
}

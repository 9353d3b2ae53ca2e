/// Why a completion failed. Messages name the URL involved, never the API key.
public enum InferenceError: Error, Equatable, CustomStringConvertible {
    /// The request's parameters are out of range; nothing was sent.
    case invalidRequest(reason: String)
    /// The server could not be reached: connection refused, unknown host, no
    /// connection within the connect timeout, or the connection dropped.
    case connectionFailed(endpoint: String, reason: String)
    /// The server answered with an HTTP status other than 2xx.
    ///
    /// `bodyExcerpt` is the start of the response body (at most about 200 characters,
    /// whitespace collapsed), which usually holds the server's own explanation.
    case httpStatus(endpoint: String, status: Int, bodyExcerpt: String)
    /// The server answered 2xx, but not with an OpenAI completion: not JSON, no
    /// `choices[0].text`, or fields of the wrong type.
    case malformedResponse(endpoint: String, reason: String)
    /// The whole request took longer than the endpoint's request timeout.
    case timedOut(endpoint: String, after: Duration)
    /// The calling task was cancelled; the request was abandoned.
    case cancelled

    /// What failed, with which URL, and what to try next.
    public var description: String {
        switch self {
        case let .invalidRequest(reason):
            return "invalid completion request: \(reason)"
        case let .connectionFailed(endpoint, reason):
            return "cannot reach the inference server at \(endpoint): \(reason); is it running? "
                + "(start it with ./scripts/model-server)"
        case let .httpStatus(endpoint, status, bodyExcerpt):
            let body = bodyExcerpt.isEmpty ? "(empty body)" : "\"\(bodyExcerpt)\""
            return "the inference server at \(endpoint) answered HTTP \(status): \(body)\(Self.hint(forStatus: status))"
        case let .malformedResponse(endpoint, reason):
            return "the inference server at \(endpoint) did not answer with an OpenAI completion: \(reason); "
                + "check that the base URL points at an OpenAI-compatible server"
        case let .timedOut(endpoint, after):
            return "the inference server at \(endpoint) did not answer within \(after); "
                + "it may be overloaded: lower maxTokens or raise the endpoint's requestTimeout"
        case .cancelled:
            return "the completion request was cancelled"
        }
    }

    private static func hint(forStatus status: Int) -> String {
        switch status {
        case 401, 403: "; check the endpoint's API key"
        case 404: "; check the base URL: the server must serve the OpenAI API under /v1"
        case 400, 422: "; the server rejected the request's parameters"
        case 500...: "; the server failed: see its log"
        default: ""
        }
    }
}

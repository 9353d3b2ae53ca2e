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
    /// The server answered HTTP 429 (too many requests); `retryAfter` is its `Retry-After`
    /// header, when it sent one that parses (seconds or an HTTP date).
    case rateLimited(endpoint: String, retryAfter: Duration?, bodyExcerpt: String)
    /// A chat request produced no tokens at all: the model has no chat template (a base
    /// model such as Gemma 3 270M), so the server could not turn the messages into a prompt.
    case noChatTemplate(endpoint: String, model: String)
    /// A streamed answer broke off after `deliveredChunks` chunks had reached the caller.
    /// Never retried: the caller has seen part of an answer that a retry would not repeat.
    case streamInterrupted(endpoint: String, deliveredChunks: Int, reason: String)
    /// The request names a model no endpoint serves.
    case unknownModel(name: String, known: [String])
    /// The model is known, but every endpoint of it was detached.
    case noEndpoints(model: String)
    /// Every attempt failed; `lastError` is the failure of the last one.
    indirect case retriesExhausted(model: String, attempts: Int, lastError: InferenceError)

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
                + "it may be overloaded: ask for fewer tokens (max_tokens), or raise the request timeout "
                + "(skillhostd --request-timeout-ms, config key request_timeout_ms)"
        case .cancelled:
            return "the completion request was cancelled"
        case let .rateLimited(endpoint, retryAfter, bodyExcerpt):
            let wait = retryAfter.map { " (it asks to wait \($0))" } ?? ""
            let body = bodyExcerpt.isEmpty ? "" : ": \"\(bodyExcerpt)\""
            return "the inference server at \(endpoint) is rate limiting (HTTP 429)\(wait)\(body); "
                + "retry later, or attach more endpoints to the model"
        case let .noChatTemplate(endpoint, model):
            return "the model \"\(model)\" at \(endpoint) answered a chat with no tokens at all: it has no chat "
                + "template (a base model, such as Gemma 3 270M, cannot chat); call complete_text with a plain "
                + "prompt, or serve an instruction-tuned model"
        case let .streamInterrupted(endpoint, deliveredChunks, reason):
            return "the stream from the inference server at \(endpoint) broke off after \(deliveredChunks) "
                + "chunks had been delivered: \(reason); it was not retried, because the caller already had part of the answer"
        case let .unknownModel(name, known):
            let list = known.isEmpty ? "none is configured" : "known models: " + known.sorted().joined(separator: ", ")
            return "unknown model \"\(name)\": \(list); name one of them, or attach an endpoint for it "
                + "(skillctl inference attach)"
        case let .noEndpoints(model):
            return "the model \"\(model)\" has no endpoints left (all were detached); attach one with "
                + "skillctl inference attach"
        case let .retriesExhausted(model, attempts, lastError):
            return "inference for the model \"\(model)\" failed after \(attempts) attempts; the last: \(lastError)"
        }
    }

    /// The same error with every occurrence of `secret` in its texts replaced by
    /// `<redacted>`; the error itself when `secret` is nil or empty.
    public func redacting(_ secret: String?) -> InferenceError {
        guard let secret, !secret.isEmpty else { return self }
        func clean(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "<redacted>") }
        switch self {
        case let .invalidRequest(reason):
            return .invalidRequest(reason: clean(reason))
        case let .connectionFailed(endpoint, reason):
            return .connectionFailed(endpoint: clean(endpoint), reason: clean(reason))
        case let .httpStatus(endpoint, status, bodyExcerpt):
            return .httpStatus(endpoint: clean(endpoint), status: status, bodyExcerpt: clean(bodyExcerpt))
        case let .malformedResponse(endpoint, reason):
            return .malformedResponse(endpoint: clean(endpoint), reason: clean(reason))
        case let .timedOut(endpoint, after):
            return .timedOut(endpoint: clean(endpoint), after: after)
        case .cancelled:
            return self
        case let .rateLimited(endpoint, retryAfter, bodyExcerpt):
            return .rateLimited(endpoint: clean(endpoint), retryAfter: retryAfter, bodyExcerpt: clean(bodyExcerpt))
        case let .noChatTemplate(endpoint, model):
            return .noChatTemplate(endpoint: clean(endpoint), model: clean(model))
        case let .streamInterrupted(endpoint, deliveredChunks, reason):
            return .streamInterrupted(endpoint: clean(endpoint), deliveredChunks: deliveredChunks, reason: clean(reason))
        case let .unknownModel(name, known):
            return .unknownModel(name: clean(name), known: known.map(clean))
        case let .noEndpoints(model):
            return .noEndpoints(model: clean(model))
        case let .retriesExhausted(model, attempts, lastError):
            return .retriesExhausted(model: clean(model), attempts: attempts, lastError: lastError.redacting(secret))
        }
    }

    /// Whether another attempt, on the same or another endpoint, may succeed: no answer
    /// arrived (a connection error, HTTP 429, or a 5xx status other than 501). A connection
    /// lost after the request was sent counts too, so a server that died mid-generation may
    /// have done work that the retry repeats: completions are treated as idempotent. Never
    /// once part of a streamed answer was delivered (that is ``streamInterrupted(endpoint:deliveredChunks:reason:)``).
    public var isRetryable: Bool {
        switch self {
        case .connectionFailed, .rateLimited:
            return true
        case let .httpStatus(_, status, _):
            return (500...599).contains(status) && status != 501
        default:
            return false
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

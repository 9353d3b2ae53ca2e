import Foundation

/// Turns what arrived for one request into a ``Completion`` or an ``InferenceError``
/// that names the URL (never the API key).
struct AnswerContext {
    /// The request's URL, fit to show.
    var endpoint: String
    /// The key to blank out of body excerpts, if any.
    var apiKey: String?
    /// Whether the request was a chat.
    var isChat: Bool
    /// The model the request named (or the endpoint's default), for answers that name none.
    var requestedModel: String

    /// The error for a failed exchange that delivered no text.
    func error(for failure: HTTPTransportError) -> InferenceError {
        switch failure {
        case .cancelled:
            .cancelled
        case let .timedOut(timeout):
            .timedOut(endpoint: endpoint, after: timeout)
        case .malformedResponse:
            .malformedResponse(endpoint: endpoint, reason: failure.description)
        case .unknownHost, .connectionRefused, .connectTimedOut, .connectFailed, .connectionLost, .tlsFailed,
             .ioFailed:
            .connectionFailed(endpoint: endpoint, reason: failure.description)
        }
    }

    /// The error for a response with a status other than 2xx.
    func statusError(for response: BufferedResponse) -> InferenceError {
        let excerpt = BodyExcerpt(response.body, redacting: apiKey).description
        guard response.head.status == 429 else {
            return .httpStatus(endpoint: endpoint, status: response.head.status, bodyExcerpt: excerpt)
        }
        let retryAfter = response.head.value(of: "Retry-After").flatMap { RetryAfter.delay(from: $0) }
        return .rateLimited(endpoint: endpoint, retryAfter: retryAfter, bodyExcerpt: excerpt)
    }

    /// The completion in a whole (not streamed) answer.
    func completion(from response: BufferedResponse?) throws(InferenceError) -> Completion {
        guard let response else {
            throw error(for: .connectionLost(reason: "the server closed the connection without answering"))
        }
        guard response.head.isSuccess else { throw statusError(for: response) }
        guard !response.isTruncated else {
            throw .malformedResponse(endpoint: endpoint,
                                     reason: "the answer is larger than \(response.body.count >> 20) MiB")
        }
        switch CompletionResponseBody.completion(from: response.body) {
        case let .success(completion):
            if isChat, completion.text.isEmpty, completion.usage.completionTokens == 0 {
                throw .noChatTemplate(endpoint: endpoint, model: completion.model)
            }
            return completion
        case let .failure(reason):
            throw .malformedResponse(endpoint: endpoint, reason: reason.description)
        }
    }

    /// The completion of a streamed request; `onChunk` receives the text of an answer that
    /// came as plain JSON instead of a stream.
    func streamedCompletion(
        from outcome: CompletionStreamReceiver.Outcome, deliveredChunks: Int, failure: HTTPTransportError?,
        onChunk: @Sendable (String) -> Void
    ) throws(InferenceError) -> Completion {
        if failure == .cancelled { throw .cancelled }
        switch outcome {
        case .nothing:
            throw error(for: failure ?? .connectionLost(reason: "the server closed the connection without answering"))
        case let .buffered(response):
            if let failure { throw error(for: failure) }
            let completion = try completion(from: response)
            if !completion.text.isEmpty { onChunk(completion.text) }
            return completion
        case let .streamed(assembler, streamFailure):
            // Once the finish reason is in, the text is whole: losing the connection before
            // a usage event or [DONE] costs nothing. Before it, a [DONE] explains the cut
            // better than the connection's end does.
            let problem = streamFailure ?? assembler.incompleteness.map { incompleteness in
                assembler.sawDone ? incompleteness : failure?.description ?? incompleteness
            }
            if let problem {
                if deliveredChunks > 0 {
                    throw .streamInterrupted(endpoint: endpoint, deliveredChunks: deliveredChunks, reason: problem)
                }
                if let failure { throw error(for: failure) }
                throw .malformedResponse(endpoint: endpoint, reason: problem)
            }
            let completion = assembler.completion(modelIfUnnamed: requestedModel)
            if isChat, assembler.contentChunks == 0 {
                throw .noChatTemplate(endpoint: endpoint, model: completion.model)
            }
            return completion
        }
    }
}

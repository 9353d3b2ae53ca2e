import InferenceDriver
import Synchronization

/// A test double of the inference service for fault injection: it answers every request
/// with the same scripted behaviour and records what happened. The real server is
/// exercised by the end-to-end tests and by the streaming test against llama.cpp.
final class ScriptedInference: InferenceService {
    enum Behaviour: Sendable {
        /// Answers with the prompt (or the chat, one message a line) reversed, after
        /// `delay`; a streamed request gets it in pieces of ``chunkLength`` characters first.
        case answer(delay: Duration)
        /// Fails with `error` at once.
        case fail(InferenceError)
        /// Never answers; only a cancel ends the request.
        case stall
    }

    /// The characters in each piece of a streamed answer.
    static let chunkLength = 3

    private let behaviour: Behaviour
    private let record = Mutex((requests: [CompletionRequest](), cancelled: 0))

    init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
    }

    /// How many requests arrived.
    var requests: Int { record.withLock { $0.requests.count } }
    /// The requests that arrived, in order.
    var receivedRequests: [CompletionRequest] { record.withLock { $0.requests } }
    /// How many requests were cancelled while they waited.
    var cancelled: Int { record.withLock { $0.cancelled } }

    /// The text a request is answered with.
    static func answer(to request: CompletionRequest) -> String {
        String(request.promptText.reversed())
    }

    /// The pieces a streamed answer to `request` comes in.
    static func chunks(of request: CompletionRequest) -> [String] {
        let text = Array(answer(to: request))
        return stride(from: 0, to: text.count, by: chunkLength).map {
            String(text[$0..<min($0 + chunkLength, text.count)])
        }
    }

    func complete(_ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?) async throws(InferenceError) -> Completion {
        record.withLock { $0.requests.append(request) }
        switch behaviour {
        case let .answer(delay):
            try await sleep(delay)
            if let onChunk {
                for chunk in Self.chunks(of: request) {
                    onChunk(chunk)
                    await Task.yield()
                }
            }
            return Completion(text: Self.answer(to: request), finishReason: "stop", model: "scripted",
                              usage: TokenUsage(promptTokens: request.promptText.count, completionTokens: 7))
        case let .fail(error):
            throw error
        case .stall:
            try await sleep(.seconds(3600))
            throw .cancelled
        }
    }

    private func sleep(_ duration: Duration) async throws(InferenceError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            record.withLock { $0.cancelled += 1 }
            throw .cancelled
        }
    }
}

extension CompletionRequest {
    /// The prompt, or the chat's messages one per line: what the test doubles echo back.
    var promptText: String {
        switch input {
        case let .text(prompt): prompt
        case let .chat(messages): messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        }
    }
}

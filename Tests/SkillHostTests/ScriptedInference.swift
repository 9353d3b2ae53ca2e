import InferenceDriver
import Synchronization

/// A test double of the inference service for fault injection: it answers every request
/// with the same scripted behaviour and counts what happened. The real server is exercised
/// by the end-to-end tests.
final class ScriptedInference: InferenceService {
    enum Behaviour: Sendable {
        /// Answers with the prompt reversed, after `delay`.
        case answer(delay: Duration)
        /// Fails with `error` at once.
        case fail(InferenceError)
        /// Never answers; only a cancel ends the request.
        case stall
    }

    private let behaviour: Behaviour
    private let counters = Mutex((requests: 0, cancelled: 0))

    init(_ behaviour: Behaviour) {
        self.behaviour = behaviour
    }

    var requests: Int { counters.withLock { $0.requests } }
    var cancelled: Int { counters.withLock { $0.cancelled } }

    func complete(_ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?) async throws(InferenceError) -> Completion {
        counters.withLock { $0.requests += 1 }
        switch behaviour {
        case let .answer(delay):
            try await sleep(delay)
            return Completion(text: String(request.promptText.reversed()), finishReason: "stop", model: "scripted",
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
            counters.withLock { $0.cancelled += 1 }
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

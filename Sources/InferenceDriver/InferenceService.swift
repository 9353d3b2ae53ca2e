/// Something that generates text: one inference server, or a router over many.
public protocol InferenceService: Sendable {
    /// Generates the answer to `request`: the continuation of its prompt, or the next
    /// message of its chat.
    ///
    /// When `onChunk` is given the answer is streamed: `onChunk` is called with each piece
    /// of generated text, in order, as it arrives from the server and before this method
    /// returns; the returned ``Completion`` still holds the whole text. `onChunk` runs on an
    /// I/O thread and must return quickly. Once it has been called, a failure is
    /// ``InferenceError/streamInterrupted(endpoint:deliveredChunks:reason:)`` and is never
    /// retried.
    ///
    /// Cancelling the calling task abandons the request promptly (closing its connection)
    /// and throws ``InferenceError/cancelled``.
    func complete(
        _ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?
    ) async throws(InferenceError) -> Completion
}

extension InferenceService {
    /// Generates the answer to `request` without streaming.
    public func complete(_ request: CompletionRequest) async throws(InferenceError) -> Completion {
        try await complete(request, onChunk: nil)
    }
}

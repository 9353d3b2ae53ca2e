/// Something that generates text: one inference server, or later a pool of them.
public protocol InferenceService: Sendable {
    /// Generates a completion of `request.prompt`.
    ///
    /// Cancelling the calling task abandons the request promptly and throws
    /// ``InferenceError/cancelled``.
    func complete(_ request: CompletionRequest) async throws(InferenceError) -> Completion
}

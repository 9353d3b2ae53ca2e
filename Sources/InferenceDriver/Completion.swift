/// The text a server generated for a ``CompletionRequest``.
public struct Completion: Sendable, Equatable {
    /// The generated text (`choices[0].text`), without the prompt.
    public var text: String
    /// Why generation stopped (`choices[0].finish_reason`), such as `"stop"` or `"length"`;
    /// `nil` when the server did not say.
    public var finishReason: String?
    /// The model that answered, as the server names it.
    public var model: String
    /// The tokens consumed.
    ///
    /// Both counts are zero when, and only when, the server sent no `usage` object
    /// (the OpenAI API always sends one; some compatible servers do not). A `usage`
    /// object that is present but malformed is a ``InferenceError/malformedResponse(endpoint:reason:)``.
    public var usage: TokenUsage

    /// Creates a completion.
    public init(text: String, finishReason: String?, model: String, usage: TokenUsage) {
        self.text = text
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
    }
}

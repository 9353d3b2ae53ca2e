/// The text a server generated for a ``CompletionRequest``.
public struct Completion: Sendable, Equatable {
    /// The generated text (`choices[0].text`, or a chat's `choices[0].message.content`),
    /// without the prompt.
    public var text: String
    /// Why generation stopped (`choices[0].finish_reason`), such as `"stop"` or `"length"`;
    /// `nil` when the server did not say.
    public var finishReason: String?
    /// The model that answered, as the server names it.
    public var model: String
    /// The tokens consumed, as the server counted them.
    ///
    /// For a whole answer, both counts are zero when, and only when, the server sent no
    /// `usage` object (the OpenAI API always sends one; some compatible servers do not). A
    /// `usage` object that is present but malformed is a
    /// ``InferenceError/malformedResponse(endpoint:reason:)``.
    ///
    /// For a streamed answer, the usage is that of the stream's usage event when the server
    /// sent one; otherwise (llama-cpp-python's server sends none) `completionTokens` is the
    /// number of events that carried text, one token each as llama.cpp streams, and
    /// `promptTokens` the prompt's tokens as the server's tokenizer counts them, or 0 when
    /// it cannot count them (a chat, or a server without llama-cpp-python's tokenize route).
    public var usage: TokenUsage

    /// Creates a completion.
    public init(text: String, finishReason: String?, model: String, usage: TokenUsage) {
        self.text = text
        self.finishReason = finishReason
        self.model = model
        self.usage = usage
    }
}

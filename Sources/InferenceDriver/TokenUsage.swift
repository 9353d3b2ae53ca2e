/// How many tokens a request consumed, as counted by the server.
public struct TokenUsage: Sendable, Equatable {
    /// Tokens in the prompt.
    public var promptTokens: Int
    /// Tokens the model generated.
    public var completionTokens: Int

    /// Creates a usage record.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// Prompt and completion tokens together.
    public var totalTokens: Int { promptTokens + completionTokens }
}

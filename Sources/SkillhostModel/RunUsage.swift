/// The inference tokens a run used.
public struct RunUsage: Sendable, Equatable {
    /// Tokens sent to the model.
    public var promptTokens: Int
    /// Tokens the model generated.
    public var completionTokens: Int

    /// No tokens.
    public static let zero = RunUsage(promptTokens: 0, completionTokens: 0)

    /// Describes token usage.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

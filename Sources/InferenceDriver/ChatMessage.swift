/// One message of a chat (`POST /v1/chat/completions`): who speaks, and what they say.
public struct ChatMessage: Sendable, Equatable {
    /// The speaker: `system`, `user` or `assistant` (servers may accept others, such as `tool`).
    public var role: String
    /// The message's text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

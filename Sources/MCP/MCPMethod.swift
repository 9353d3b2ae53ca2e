/// The requests an ``MCPSession`` serves, by their names on the wire.
public enum MCPMethod: String, Sendable, CaseIterable {
    /// Agrees on a revision and the capabilities; the first request of a session.
    case initialize
    /// Answers `{}`, at any time.
    case ping
    /// The tools: every installed skill.
    case listTools = "tools/list"
    /// Runs the skill a tool is.
    case callTool = "tools/call"
}

/// The notifications of MCP that a session sends or reads, by their names on the wire.
public enum MCPNotificationMethod: String, Sendable, CaseIterable {
    /// From the client, once it has the answer to `initialize`.
    case initialized = "notifications/initialized"
    /// From the client: it no longer wants the answer to a request, whose work is stopped.
    case cancelled = "notifications/cancelled"
    /// To the client: a request it gave a `progressToken` made progress.
    case progress = "notifications/progress"
    /// To the client: the tools changed; `tools/list` lists them anew.
    case toolListChanged = "notifications/tools/list_changed"
}

import JSON
import JSONRPC
import SkillhostProtocol

/// The result of `tools/call`: the run's output, or why it failed, as MCP's content.
enum MCPToolResult {
    /// The `_meta` member that carries the run's id, for a client that looks it up (`skillctl runs`).
    static let runIDMeta = "skillhost/run_id"

    /// A run that succeeded: its output as text, always (a JSON string as its text, any other
    /// JSON value compact), and as `structuredContent` when it is a JSON object and the
    /// client's revision has structured output.
    static func succeeded(_ run: RunResult, revision: MCPProtocolRevision) -> JSONValue {
        let text: String
        if let string = run.output.stringValue {
            text = string
        } else {
            text = run.output.serialized()
        }
        var members: [String: JSONValue] = [
            "content": [textContent(text)], "isError": false, "_meta": [runIDMeta: .int(run.runID)],
        ]
        if revision.hasStructuredToolOutput, case .object = run.output {
            members["structuredContent"] = run.output
        }
        return .object(members)
    }

    /// A run that failed, or could not start: a tool error (`isError`) whose text is the
    /// error's kind and message, so that the model calling the tool reads why.
    static func failed(_ error: JSONRPCError) -> JSONValue {
        let kind = error.kind ?? "internal"
        var members: [String: JSONValue] = ["content": [textContent("\(kind): \(error.message)")], "isError": true]
        if let runID = error.data?["run_id"] { members["_meta"] = [runIDMeta: runID] }
        return .object(members)
    }

    private static func textContent(_ text: String) -> JSONValue {
        ["type": "text", "text": .string(text)]
    }
}

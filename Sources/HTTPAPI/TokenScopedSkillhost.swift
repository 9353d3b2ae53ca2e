import JSON
import JSONRPC
import MCP
import SkillhostModel
import SkillhostProtocol

/// The skillhost of an MCP session over HTTP, narrowed to what its token may run: a run
/// token made with `--skills` sees only those skills as tools, hears only of their changes,
/// and cannot call another (`permission_denied`). The session asks for nothing but the
/// skills and their runs; any other method is refused, so a token reaches no more through
/// `/mcp` than through `/v1/skills`.
struct TokenScopedSkillhost: MCPSkillhost {
    let base: any MCPSkillhost
    /// The token's name, for refusals.
    let tokenName: String
    /// Whether the token may run the skill of this name.
    let allows: @Sendable (String) -> Bool

    func call(_ method: String, params: JSONValue?,
              onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue {
        switch method {
        case RunSkillRequest.method:
            let skill = params?["skill"]?.stringValue ?? ""
            guard allows(HTTPRouteRequest.skillName(skill)) else {
                throw JSONRPCError(.permissionDenied, message: "token \"\(tokenName)\" may not run skill \(skill)")
            }
            return try await base.call(method, params: params, onNotification: onNotification)
        case ListSkillsRequest.method:
            let listed = try await base.call(method, params: params, onNotification: onNotification)
            return .object(["skills": .array((listed["skills"]?.arrayValue ?? []).filter(isAllowed))])
        default:
            throw JSONRPCError(.permissionDenied, message: "\(method) is not served to an MCP session over HTTP")
        }
    }

    func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList {
        let watched = try await base.watchSkills { [allows] change in
            if allows(change.name) { onChange(change) }
        }
        return SkillList(skills: watched.skills.filter(isAllowed))
    }

    func close() {
        base.close()
    }

    /// Whether a skill record is of a skill the token may run.
    private func isAllowed(_ skill: JSONValue) -> Bool {
        skill["name"]?.stringValue.map(allows) ?? false
    }
}

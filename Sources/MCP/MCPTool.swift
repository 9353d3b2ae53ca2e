import JSON
import SkillhostModel

/// An installed skill as an MCP tool: its name, its description, and the schemas of its
/// descriptor, as `tools/list` lists it.
struct MCPTool: Sendable, Equatable {
    /// The skill's name, which is the tool's.
    let name: String
    /// The version a call runs: the highest installed.
    let version: String
    /// The skill's description.
    let description: String
    /// The skill's input schema when it describes an object, which MCP requires of a
    /// tool's arguments; else `{"type": "object"}`, which takes any arguments.
    let inputSchema: JSONValue
    /// The skill's output schema when it describes an object (MCP's structured content
    /// is an object); else none.
    let outputSchema: JSONValue?

    /// The tool of a skill record (docs/PROTOCOL.md); nil for a record without a name or version.
    init?(skill: JSONValue) {
        guard let name = skill["name"]?.stringValue, let version = skill["version"]?.stringValue else { return nil }
        self.name = name
        self.version = version
        let description = skill["description"]?.stringValue ?? ""
        self.description = description.isEmpty ? "The skillhost skill \(name) \(version)." : description
        inputSchema = skill["input_schema"].flatMap(Self.objectSchema) ?? ["type": "object"]
        outputSchema = skill["output_schema"].flatMap(Self.objectSchema)
    }

    /// One tool per skill name, the highest version of each, by name: the skills a call by
    /// name runs.
    static func tools(of skills: [JSONValue]) -> [MCPTool] {
        var highest: [String: MCPTool] = [:]
        for tool in skills.compactMap(MCPTool.init(skill:)) {
            if let other = highest[tool.name], let kept = SemanticVersion(other.version),
               let version = SemanticVersion(tool.version), version <= kept { continue }
            highest[tool.name] = tool
        }
        return highest.values.sorted { $0.name < $1.name }
    }

    /// The tool as `tools/list` gives it to a client speaking `revision`.
    func json(for revision: MCPProtocolRevision) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "description": .string(description), "inputSchema": inputSchema,
        ]
        if revision.hasStructuredToolOutput, let outputSchema { members["outputSchema"] = outputSchema }
        return .object(members)
    }

    /// `schema` when it is a JSON Schema of objects (`"type": "object"`).
    private static func objectSchema(_ schema: JSONValue) -> JSONValue? {
        guard schema["type"] == "object" else { return Optional.none }
        return schema
    }
}

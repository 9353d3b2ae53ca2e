import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl show NAME[@VERSION]`: one installed skill.
struct ShowSkillCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill, and the version to show")

    static let declaration = CommandDeclaration(
        name: "show", abstract: "one skill (its highest version without @VERSION)",
        discussion: "Shows one installed skill; without @VERSION, its highest version.", arguments: [skill])

    /// `NAME` or `NAME@VERSION`, sent as typed.
    var skill: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = try arguments.required(Self.skill)
    }

    func request(in context: CommandContext) -> GetSkillRequest {
        GetSkillRequest(name: skill)
    }

    func render(_ result: JSONValue) -> String {
        SkillOutput.renderShow(result)
    }
}

import SkillhostProtocol

/// `skillctl grant NAME[@VERSION] [OPTIONS]`: what a skill's workers may reach.
struct GrantCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill: every version, or only VERSION")

    static let declaration = CommandDeclaration(
        name: "grant", abstract: "what a skill's worker processes may reach: network, paths, limits",
        discussion: """
            Sets the grants of NAME (every version, or only VERSION) from its workers' next start
            on; the options not given stay as they are. Its running workers are stopped after
            their run, so new ones start in the new sandbox. See docs/SECURITY.md.
            """,
        arguments: [skill], options: GrantOptions.all)

    /// The skill, and the one version to change.
    var skill: SkillReference
    /// The grants to change.
    var grants: GrantParameters

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
        grants = try GrantOptions.parameters(arguments)
    }

    func request(in context: CommandContext) -> GrantSkillRequest {
        GrantSkillRequest(name: skill.name, version: skill.version, grants: grants)
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderGrants(result)
    }
}

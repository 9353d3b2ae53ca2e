import SkillhostProtocol

/// `skillctl isolation NAME[@VERSION] process|inprocess`: where a skill runs.
struct SetIsolationCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill: every version, or only VERSION")
    static let mode = Argument(kind: .isolationMode, help: "in a worker process, or on a thread of the daemon")

    static let declaration = CommandDeclaration(
        name: "isolation", abstract: "where a skill runs from its next run on: a worker process, or the daemon",
        discussion: """
            Sets where NAME (every version, or only VERSION) runs from its next run on:
            `process`, in a worker process of its own, or `inprocess`, on a thread of
            the daemon (microsecond overhead, for skills you trust).
            """,
        arguments: [skill, mode])

    /// The skill, and the one version to change.
    var skill: SkillReference
    /// `process` or `inprocess`.
    var mode: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
        mode = try arguments.required(Self.mode)
    }

    func request(in context: CommandContext) -> SetIsolationRequest {
        SetIsolationRequest(name: skill.name, version: skill.version, isolation: mode)
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderIsolation(result)
    }
}

import SkillhostProtocol

/// `skillctl memory-limit NAME[@VERSION] SIZE|none|default`: the memory limit of a skill's workers.
struct SetMemoryLimitCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill: every version, or only VERSION")
    static let limit = Argument("SIZE|none|default", kind: .memoryLimit,
                                help: "512M, 2G (binary units), none, or default (the daemon's memory_limit_bytes)")

    static let declaration = CommandDeclaration(
        name: "memory-limit", abstract: "the memory limit of a skill's worker processes",
        discussion: """
            Sets the memory limit of the worker processes of NAME (every version, or only
            VERSION), from their next start on: SIZE in bytes or with a K, M or G suffix
            (binary units: 512M is 512 MiB), `none` for no limit, or `default` for the
            daemon's memory_limit_bytes. A worker that passes it is recorded as crashed.
            """,
        arguments: [skill, limit])

    /// The skill, and the one version to change.
    var skill: SkillReference
    /// The limit.
    var limit: MemoryLimitParameter

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = SkillReference(try arguments.required(Self.skill))
        limit = try arguments.required(Self.limit)
    }

    func request(in context: CommandContext) -> SetLimitsRequest {
        SetLimitsRequest(name: skill.name, version: skill.version, memoryLimitBytes: limit)
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderMemoryLimit(result)
    }
}

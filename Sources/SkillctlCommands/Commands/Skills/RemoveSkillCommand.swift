import SkillhostProtocol

/// `skillctl remove NAME [--version V]`: removes a skill, or one of its versions.
struct RemoveSkillCommand: DaemonRequestCommand, Equatable {
    static let name = Argument("NAME", kind: .skill, help: "the skill")
    static let version = Option("--version", kind: .text("V"), help: "remove only this version")

    static let declaration = CommandDeclaration(
        name: "remove", abstract: "removes a skill, or only its version V; runs keep their history",
        discussion: "Removes a skill: every version, or only V. Runs keep their history.",
        arguments: [name], options: [version])

    /// The skill's name.
    var name: String
    /// `--version`: the one version to remove.
    var version: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.required(Self.name)
        version = try arguments.value(Self.version)
    }

    func request(in context: CommandContext) -> RemoveSkillRequest {
        RemoveSkillRequest(name: name, version: version)
    }

    func render(_ result: RemovedSkills) -> String {
        SkillOutput.renderRemove(result)
    }
}

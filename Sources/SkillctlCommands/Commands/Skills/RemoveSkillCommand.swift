import SkillhostProtocol

/// `skillctl remove NAME[@VERSION] [--version V]`: removes a skill, or one of its versions.
struct RemoveSkillCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument("NAME[@VERSION]", kind: .skill, help: "the skill, and the one version to remove")
    static let version = Option("--version", kind: .text("V"), help: "remove only this version (the same as NAME@V)")

    static let declaration = CommandDeclaration(
        name: "remove", abstract: "removes a skill, or only one version of it; runs keep their history",
        discussion: "Removes a skill: every version, or only the one named by NAME@V or --version V. Runs keep their history.",
        arguments: [skill], options: [version])

    /// The skill's name.
    var name: String
    /// `@VERSION` or `--version`: the one version to remove.
    var version: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        let reference = SkillReference(try arguments.required(Self.skill))
        let option = try arguments.value(Self.version)
        if let named = reference.version, let option, named != option {
            throw arguments.error("\(reference.name)@\(named) and --version \(option) name two versions: give one")
        }
        name = reference.name
        version = reference.version ?? option
    }

    func request(in context: CommandContext) -> RemoveSkillRequest {
        RemoveSkillRequest(name: name, version: version)
    }

    func render(_ result: RemovedSkills) -> String {
        SkillOutput.renderRemove(result)
    }
}

import SkillhostProtocol

/// `skillctl list`: the installed skills.
struct ListSkillsCommand: DaemonRequestCommand, Equatable {
    static let names = Flag("--names", help: """
        print only their names, one per line and each once, for scripts and shell completion
        """)

    static let declaration = CommandDeclaration(
        name: "list", abstract: "the installed skills", discussion: "Lists the installed skills, by name then version.",
        options: [names])

    /// `--names`.
    var namesOnly: Bool

    init(_ arguments: ParsedArguments) {
        namesOnly = arguments.isSet(Self.names)
    }

    func request(in context: CommandContext) -> ListSkillsRequest {
        ListSkillsRequest()
    }

    func render(_ result: SkillList) -> String {
        namesOnly ? SkillOutput.renderNames(result) : SkillOutput.renderList(result)
    }
}

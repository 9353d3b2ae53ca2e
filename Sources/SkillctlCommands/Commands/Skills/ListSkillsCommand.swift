import SkillhostProtocol

/// `skillctl list`: the installed skills.
struct ListSkillsCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "list", abstract: "the installed skills", discussion: "Lists the installed skills, by name then version.")

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> ListSkillsRequest {
        ListSkillsRequest()
    }

    func render(_ result: SkillList) -> String {
        SkillOutput.renderList(result)
    }
}

import SkillhostProtocol

/// `skillctl tokens [list]`: the tokens, never their secrets.
struct ListTokensCommand: DaemonRequestCommand, Equatable {
    static let all = Flag("--all", help: "revoked tokens too")

    static let declaration = CommandDeclaration(
        name: "list", abstract: "the tokens, oldest first, without their secrets",
        discussion: """
            Lists tokens: ID, NAME, SCOPE, SKILLS, CREATED, LAST USED (to the minute) and, with
            --all, REVOKED. A token's secret is never shown again after `tokens create`.
            """,
        options: [all])

    /// `--all`.
    var all: Bool

    init(_ arguments: ParsedArguments) {
        all = arguments.isSet(Self.all)
    }

    func request(in context: CommandContext) -> ListTokensRequest {
        ListTokensRequest(includeRevoked: all ? true : nil)
    }

    func render(_ result: TokenList) -> String {
        TokenOutput.renderList(result, showingRevoked: all)
    }
}

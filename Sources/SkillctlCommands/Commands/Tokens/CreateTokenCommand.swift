import SkillhostProtocol

/// `skillctl tokens create NAME --scope SCOPE [--skills A,B]`: makes a bearer token and
/// prints it, once.
struct CreateTokenCommand: DaemonRequestCommand, Equatable {
    static let name = Argument("NAME", kind: .text("NAME"), help: """
        the token's name, recorded as the caller of the runs it starts: a letter, then letters, digits, '.', '_' or '-'
        """)
    static let scope = Option("--scope", kind: .tokenScope, isRequired: true, example: "run",
                              help: "what it may do: run skills, read metrics, or everything (admin)")
    static let skills = Option("--skills", kind: .skillNames, help: "the only skills it may run (default: every skill)")

    static let declaration = CommandDeclaration(
        name: "create", abstract: "makes a bearer token for HTTP clients and prints it, once",
        discussion: """
            Prints the new token (shk_ and 43 characters) alone on standard output: the daemon
            keeps only its SHA-256, so it cannot be shown again. Store it where its client
            reads it, then send it as `Authorization: Bearer TOKEN`. With --json, prints the
            token with its record. Only the daemon's user, or root, may manage tokens.
            """,
        arguments: [name], options: [scope, skills])

    /// The token's name.
    var name: String
    /// `--scope`.
    var scope: String
    /// `--skills`; `nil`: every skill.
    var skills: [String]?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        name = try arguments.required(Self.name)
        scope = try arguments.required(Self.scope)
        skills = try arguments.value(Self.skills)
    }

    func request(in context: CommandContext) -> CreateTokenRequest {
        CreateTokenRequest(name: name, scope: scope, skills: skills)
    }

    func render(_ result: CreatedTokenAnswer) -> String {
        result.token
    }

    func warning(about result: CreatedTokenAnswer) -> String? {
        "this token is shown only once: the daemon keeps only its hash, so store it now"
    }
}

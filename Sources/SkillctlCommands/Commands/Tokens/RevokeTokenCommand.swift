import JSON
import SkillhostProtocol

/// `skillctl tokens revoke NAME|ID`: the token is refused from now on.
struct RevokeTokenCommand: DaemonRequestCommand, Equatable {
    static let token = Argument("NAME|ID", kind: .text("NAME|ID"), help: "the token: its name, or its id (digits)")

    static let declaration = CommandDeclaration(
        name: "revoke", abstract: "revokes a token: it is refused from the next request on",
        arguments: [token])

    /// The token's name, or its id as typed.
    var token: String

    init(_ arguments: ParsedArguments) throws(UsageError) {
        token = try arguments.required(Self.token)
    }

    /// An id when `token` is digits (a name starts with a letter), else a name.
    func request(in context: CommandContext) -> RevokeTokenRequest {
        if let id = Int64(token), token.allSatisfy(\.isASCII) {
            return RevokeTokenRequest(tokenID: id)
        }
        return RevokeTokenRequest(name: token)
    }

    func render(_ result: JSONValue) -> String {
        "revoked token \(Formatting.plain(result["token_id"])) (\(Formatting.plain(result["name"])))"
    }
}

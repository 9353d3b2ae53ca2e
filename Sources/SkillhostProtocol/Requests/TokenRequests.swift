import JSON
import JSONRPC
import SkillhostModel

/// `tokens.create`: makes a bearer token for HTTP clients and returns it, once.
public struct CreateTokenRequest: SkillhostRequest {
    public static let method = "tokens.create"
    public static let summary = "makes a bearer token for HTTP clients; the answer is the only place its secret appears"
    public static let errorKinds: [ErrorKind] = [.conflict, .permissionDenied]
    public typealias Result = CreatedTokenAnswer

    /// The token's name: a letter, then letters, digits, `.`, `_` or `-`, at most 64.
    public var name: String
    /// `run`, `admin` or `metrics`.
    public var scope: String
    /// The only skills it may run, by name; `nil`: every skill.
    public var skills: [String]?

    /// A request as given.
    public init(name: String, scope: String, skills: [String]? = nil) {
        self.name = name
        self.scope = scope
        self.skills = skills
    }
}

/// What `tokens.create` answers: the secret and the token's record.
public struct CreatedTokenAnswer: Codable, Sendable {
    /// The bearer token, `shk_...`: shown this once, kept nowhere.
    public var token: String
    /// The token record, as `tokens.list` shows it.
    public var record: JSONValue

    /// An answer as given.
    public init(token: String, record: JSONValue) {
        self.token = token
        self.record = record
    }
}

/// `tokens.list`: the tokens, without their secrets.
public struct ListTokensRequest: SkillhostRequest {
    public static let method = "tokens.list"
    public static let summary = "the tokens not revoked (or every one), oldest first, never a secret or its hash"
    public static let errorKinds: [ErrorKind] = [.permissionDenied]
    public typealias Result = TokenList

    /// Whether revoked tokens are listed too; `nil`: no.
    public var includeRevoked: Bool?

    /// A request as given.
    public init(includeRevoked: Bool? = nil) {
        self.includeRevoked = includeRevoked
    }

    private enum CodingKeys: String, CodingKey {
        case includeRevoked = "include_revoked"
    }
}

/// What `tokens.list` answers.
public struct TokenList: Codable, Sendable {
    /// Token records.
    public var tokens: [JSONValue]

    /// A list as given.
    public init(tokens: [JSONValue]) {
        self.tokens = tokens
    }
}

/// `tokens.revoke`: a token is refused from now on.
public struct RevokeTokenRequest: SkillhostRequest {
    public static let method = "tokens.revoke"
    public static let summary = "revokes a token, by name or id: it is refused from the next request on"
    public static let errorKinds: [ErrorKind] = [.notFound, .permissionDenied]
    /// The revoked token's record.
    public typealias Result = JSONValue

    /// The name of the token not revoked to revoke; give this or ``tokenID``.
    public var name: String?
    /// The id of the token to revoke.
    public var tokenID: Int64?

    /// A request as given.
    public init(name: String? = nil, tokenID: Int64? = nil) {
        self.name = name
        self.tokenID = tokenID
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case tokenID = "token_id"
    }
}

/// How a token is named to revoke it: by id, or by the name of the unrevoked token that
/// has it.
public enum TokenReference: Sendable, Equatable, CustomStringConvertible {
    /// The token with this id.
    case id(Int64)
    /// The token not revoked with this name.
    case name(String)

    /// `token 3` or `token "ci"`.
    public var description: String {
        switch self {
        case let .id(id): "token \(id)"
        case let .name(name): "token \"\(name)\""
        }
    }
}

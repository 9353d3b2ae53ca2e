/// How a token is named to revoke it: by id, or by the name of the unrevoked token that
/// has it.
public enum TokenReference: Sendable, Equatable, CustomStringConvertible {
    /// The token with this id.
    case id(Int64)
    /// The token not revoked with this name.
    case name(String)

    /// Reads `text` as the command line gives it: digits are an id (a token's name starts
    /// with a letter), anything else a name.
    public init(_ text: String) {
        if let id = Int64(text), text.allSatisfy(\.isASCII) {
            self = .id(id)
        } else {
            self = .name(text)
        }
    }

    /// `token 3` or `token "ci"`.
    public var description: String {
        switch self {
        case let .id(id): "token \(id)"
        case let .name(name): "token \"\(name)\""
        }
    }
}

import JSON
/// Why a ``JSONValue`` could not be decoded as a `Decodable` type: a member that is
/// missing, of the wrong type, or not known to the type. The description names the member
/// by its path (`"timeout_ms"`, `"items[3].name"`) and says what was expected.
public enum JSONValueDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member at `path` is absent or null, and the type needs it; `expected` is the
    /// JSON it takes ("a string").
    case missing(path: String, expected: String)
    /// The member at `path` is `found` ("an integer") where `expected` was due.
    case typeMismatch(path: String, expected: String, found: String)
    /// The object at `path` (empty for the top level) has members the type does not know;
    /// `known` are the ones it does.
    case unknownMembers(path: String, unknown: [String], known: [String])
    /// The value at `path` is of the right JSON type but not a value the type accepts.
    case invalidValue(path: String, reason: String)

    /// What is wrong, in the words of a JSON-RPC `invalid_params` message.
    public var description: String {
        switch self {
        case let .missing(path, expected):
            "the parameter \(Self.quoted(path)) is required (\(expected))"
        case let .typeMismatch(path, expected, found):
            "the parameter \(Self.quoted(path)) must be \(expected), not \(found)"
        case let .unknownMembers(path, unknown, known):
            "unknown parameter \(Self.quoted(Self.join(path, unknown[0]))); "
                + (path.isEmpty ? "this method takes " : "\(Self.quoted(path)) takes ")
                + (known.isEmpty ? "none" : known.map(Self.quoted).joined(separator: ", "))
        case let .invalidValue(path, reason):
            "the parameter \(Self.quoted(path)) \(reason)"
        }
    }

    /// `path.member`, or `member` at the top level.
    static func join(_ path: String, _ member: String) -> String {
        path.isEmpty ? member : "\(path).\(member)"
    }

    private static func quoted(_ name: String) -> String { JSONValue.string(name).serialized() }
}

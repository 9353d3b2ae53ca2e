import JSON

/// The `id` of a JSON-RPC 2.0 request: an integer or a string.
///
/// `null`, which the spec allows but discourages in requests and requires in error
/// responses whose request id could not be read, is spelled `JSONRPCID?.none` wherever it
/// may occur. A fractional number is not accepted as an id (the spec says ids SHOULD NOT
/// have one, and echoing it back exactly is not guaranteed).
public enum JSONRPCID: Sendable, Hashable, CustomStringConvertible {
    /// An integer id.
    case int(Int64)
    /// A string id.
    case string(String)

    /// Reads an id from its JSON form; `nil` when `value` is not an integer or a string.
    public init?(_ value: JSONValue) {
        switch value {
        case .int(let number): self = .int(number)
        case .string(let text): self = .string(text)
        default: return nil
        }
    }

    /// The JSON form of the id.
    public var jsonValue: JSONValue {
        switch self {
        case .int(let number): return .int(number)
        case .string(let text): return .string(text)
        }
    }

    /// The id as JSON text.
    public var description: String { jsonValue.serialized() }
}

extension Optional where Wrapped == JSONRPCID {
    /// The JSON form of an optional id: `null` when absent.
    var jsonValue: JSONValue { map(\.jsonValue) ?? .null }
}

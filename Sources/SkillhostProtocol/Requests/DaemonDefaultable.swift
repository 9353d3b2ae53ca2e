/// A param that is either a value or `null`, which means the daemon's default setting
/// (an absent param, by contrast, leaves what is stored as it is).
public enum DaemonDefaultable<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    /// This value.
    case value(Value)
    /// The daemon's setting.
    case daemonDefault

    /// Reads a value, or `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .daemonDefault : .value(try container.decode(Value.self))
    }

    /// Writes the value, or `null`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .value(value): try container.encode(value)
        case .daemonDefault: try container.encodeNil()
        }
    }
}

/// A skillhostd command line that cannot be read; skillhostd exits with status 2.
public enum DaemonUsageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Something other than a flag where a flag belongs.
    case unexpectedArgument(String)
    /// A flag that names no setting.
    case unknownOption(String)
    /// The flag of a setting only the config file can give, and that setting's key.
    case onlyInConfigFile(String, key: String)
    /// A flag given last, without its value.
    case missingValue(String)

    /// What is wrong, and what to do.
    public var description: String {
        switch self {
        case let .unexpectedArgument(argument): "unexpected argument \"\(argument)\": see skillhostd --help"
        case let .unknownOption(flag): "unknown option \(flag): see skillhostd --help"
        case let .onlyInConfigFile(flag, key):
            "\(flag) cannot be given on the command line: set `\(key)` in the config file (--config FILE)"
        case let .missingValue(flag): "\(flag) needs a value: see skillhostd --help"
        }
    }
}

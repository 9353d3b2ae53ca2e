/// A setting that cannot be applied, with where it came from.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The ``source`` of a setting given on skillhostd's command line.
    public static let commandLine = "command line"

    /// The config file's path, or ``commandLine``.
    public var source: String
    /// What is wrong.
    public var message: String

    /// An error of the setting from `source` that says `message`.
    package init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    /// "`source`: `message`".
    public var description: String { "\(source): \(message)" }
}

import Foundation

/// How a reload of the configuration ended.
public struct ReloadOutcome: Sendable, Equatable {
    /// Applied, with what it changed, or refused, with why.
    public enum Result: Sendable, Equatable {
        /// The new configuration is in force; these settings changed (none: the file said
        /// what was in force already).
        case applied([ConfigurationChange])
        /// The configuration was refused whole, for this reason (naming the file and the
        /// setting); the settings in force stay.
        case refused(reason: String)
    }

    /// When the reload ended.
    public var finishedAt: Date
    /// The config file read; nil: none (no `--config`, and no default file).
    public var file: String?
    /// What became of it.
    public var result: Result

    /// Creates an outcome.
    public init(finishedAt: Date, file: String?, result: Result) {
        self.finishedAt = finishedAt
        self.file = file
        self.result = result
    }
}

/// A line logged during a run: by the skill through `host->log`, or captured from the
/// standard output or error of the skill's worker process.
public struct RunLogLine: Sendable, Equatable {
    /// Where a line came from and how much it matters.
    public enum Level: String, Sendable, CaseIterable {
        case debug, info, warning, error
        /// Captured from the worker process's standard output.
        case stdout
        /// Captured from the worker process's standard error.
        case stderr
    }

    /// The line's level.
    public var level: Level
    /// The text.
    public var message: String

    /// Creates a log line.
    public init(level: Level, message: String) {
        self.level = level
        self.message = message
    }
}

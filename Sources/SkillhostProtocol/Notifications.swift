import JSONRPC

/// `run.started`: a streamed run is recorded, and its skill starts.
public struct RunStartedNotification: SkillhostNotification {
    public static let method = "run.started"
    public static let summary = "a streamed skills.run is recorded and its skill starts: the run's id, before any output"

    /// The run's id.
    public var runID: Int64

    /// A notification as given.
    public init(runID: Int64) {
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}

/// `run.output`: a piece of a streamed run's output.
public struct RunOutputNotification: SkillhostNotification {
    public static let method = "run.output"
    public static let summary = "a piece of a streamed skills.run's output, as UTF-8 text that never splits a character"

    /// The run's id.
    public var runID: Int64
    /// The text.
    public var chunk: String

    /// A notification as given.
    public init(runID: Int64, chunk: String) {
        self.runID = runID
        self.chunk = chunk
    }

    private enum CodingKeys: String, CodingKey {
        case chunk
        case runID = "run_id"
    }
}

/// `run.log`: a line a streamed run logged.
public struct RunLogNotification: SkillhostNotification {
    public static let method = "run.log"
    public static let summary = "a line the skill of a streamed skills.run logs, as it logs it"

    /// The run's id.
    public var runID: Int64
    /// `debug`, `info`, `warning` or `error`.
    public var level: String
    /// The text.
    public var message: String

    /// A notification as given.
    public init(runID: Int64, level: String, message: String) {
        self.runID = runID
        self.level = level
        self.message = message
    }

    private enum CodingKeys: String, CodingKey {
        case level, message
        case runID = "run_id"
    }
}

/// `batch.progress`: how a waited-for batch is doing.
public struct BatchProgressNotification: SkillhostNotification {
    public static let method = "batch.progress"
    public static let summary = "a batch's counts, rate and time left, at most every 250 ms during batches.wait"

    /// The batch's id.
    public var batchID: Int64
    /// Its items by state: `pending`, `running`, `done`, `failed`, `cancelled`.
    public var counts: [String: Int64]
    /// Items ended per second since the wait began.
    public var ratePerSecond: Double
    /// Seconds left at that rate; `nil` while it is 0.
    public var secondsLeft: Double?

    /// A notification as given.
    public init(batchID: Int64, counts: [String: Int64], ratePerSecond: Double, secondsLeft: Double?) {
        self.batchID = batchID
        self.counts = counts
        self.ratePerSecond = ratePerSecond
        self.secondsLeft = secondsLeft
    }

    private enum CodingKeys: String, CodingKey {
        case counts
        case batchID = "batch_id"
        case ratePerSecond = "rate_per_s"
        case secondsLeft = "eta_s"
    }
}

/// `skills.changed`: the set of installed skills changed.
public struct SkillsChangedNotification: SkillhostNotification {
    public static let method = "skills.changed"
    public static let summary = "a skill was installed, replaced or removed; sent to every connection that called skills.watch"

    /// What happened to a skill version.
    public enum Change: String, Codable, Sendable, CaseIterable {
        /// A new name or version was installed.
        case installed
        /// An installed name and version got another library (`skills.install` with `force`).
        case replaced
        /// The version was removed.
        case removed
    }

    /// What happened.
    public var change: Change
    /// The skill's name.
    public var name: String
    /// The version that changed.
    public var version: String

    /// A notification as given.
    public init(change: Change, name: String, version: String) {
        self.change = change
        self.name = name
        self.version = version
    }
}

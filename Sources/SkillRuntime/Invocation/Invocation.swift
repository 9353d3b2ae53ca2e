import SkillhostModel


/// One call of a skill's `run`, as the executor receives it.
public struct Invocation: Sendable {
    /// The input bytes handed to the skill (JSON text by convention).
    public var input: [UInt8]
    /// The model the skill's inference calls use when they name none; nil: the default.
    public var model: String?
    /// How long the run may take before it is trapped as timed out.
    public var timeout: Duration
    /// Where the run's output chunks and log lines go as they happen; nil: nowhere (they
    /// are still in the report).
    ///
    /// The sink is called in the order the events happened, from whichever thread produced
    /// them (a skill thread, a worker's reader thread, an inference I/O thread), one call at
    /// a time, and only while the invocation has not ended: no call follows the moment the
    /// caller is resumed with the report. It must return quickly and must not wait for the
    /// run: the end of the invocation waits for a call in progress.
    public var events: (@Sendable (RunEvent) -> Void)?
    /// The run this invocation is, for what the runner reports of it after it ended (a skill
    /// thread still running past its end); nil: an invocation of no recorded run.
    public var owner: InvocationOwner?

    /// Creates an invocation.
    public init(input: [UInt8], model: String?, timeout: Duration, events: (@Sendable (RunEvent) -> Void)? = nil,
                owner: InvocationOwner? = nil) {
        self.input = input
        self.model = model
        self.timeout = timeout
        self.events = events
        self.owner = owner
    }
}

/// The run an invocation belongs to: its skill and its id in the registry.
public struct InvocationOwner: Sendable, Equatable {
    /// The skill, `name@version`.
    public var skill: String
    /// The run's id.
    public var runID: Int64

    /// The invocation of run `runID` of `skill` (`name@version`).
    public init(skill: String, runID: Int64) {
        self.skill = skill
        self.runID = runID
    }
}

/// What came of an invocation: the first of the skill returning, a trapped CSI call, the
/// deadline, or a cancel.
public struct InvocationReport: Sendable {
    /// The output (UTF-8), or why there is none.
    public var outcome: Result<String, InvocationFailure>
    /// Tokens used by the invocation's inference calls up to the moment it ended.
    public var usage: RunUsage
    /// Lines the skill logged up to the moment it ended.
    public var logs: [RunLogLine]

    /// A report of `outcome` after the invocation used `usage` and logged `logs`.
    package init(outcome: Result<String, InvocationFailure>, usage: RunUsage, logs: [RunLogLine]) {
        self.outcome = outcome
        self.usage = usage
        self.logs = logs
    }
}

/// Bounds on what one invocation may hand the host.
public struct InvocationLimits: Sendable {
    /// The largest output, chunks and returned bytes together.
    public var maximumOutputBytes: Int = 16 << 20
    /// The longest log line kept; longer lines are cut.
    public var maximumLogLineBytes: Int = 4096
    /// The most log lines kept per invocation.
    public var maximumLogLines: Int = 1000

    /// The default limits.
    public init() {}

    /// The line a skill logged at `level` with `message`, cut at ``maximumLogLineBytes``
    /// (a character cut in two is replaced).
    package func logLine(level: RunLogLine.Level, message: some Collection<UInt8>) -> RunLogLine {
        RunLogLine(level: level, message: String(decoding: message.prefix(maximumLogLineBytes), as: UTF8.self))
    }
}

import Registry

/// One call of a skill's `run`, as the executor receives it.
public struct Invocation: Sendable {
    /// The input bytes handed to the skill (JSON text by convention).
    public var input: [UInt8]
    /// The model the skill's inference calls use when they name none; nil: the default.
    public var model: String?
    /// How long the run may take before it is trapped as timed out.
    public var timeout: Duration

    /// Creates an invocation.
    public init(input: [UInt8], model: String?, timeout: Duration) {
        self.input = input
        self.model = model
        self.timeout = timeout
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
}

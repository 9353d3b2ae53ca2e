import InferenceDriver
import SkillABI
import SkillhostModel

/// What one invocation has produced and taken so far, as the host that serves its host
/// calls records it: the output and its limit, the log lines kept and how many were dropped,
/// the tokens used, the message set with `set_error`, and the memory handed to the skill.
///
/// A plain value kept by an ``InvocationMachine``, which allows recording only while the
/// invocation runs. Each host keeps what it serves: in process, all of it; in a worker
/// process, the memory and the message (the rest travels to the daemon, whose ledger of the
/// same invocation keeps the output, the logs and the usage).
package struct InvocationLedger: ~Copyable {
    /// The bounds on output and logs.
    package let limits: InvocationLimits
    /// The bytes written with `write_output` (and the streamed text of completions), in order.
    package private(set) var output: [UInt8] = []
    /// The tokens of the inference calls answered so far.
    package private(set) var usage = RunUsage.zero
    /// The lines kept, at most ``InvocationLimits/maximumLogLines``.
    package private(set) var logs: [RunLogLine] = []
    /// The lines logged beyond the limit.
    package private(set) var droppedLogLines = 0
    /// The message of the last `set_error`, if any.
    package var errorMessage: String?
    private var allocations = HostAllocations()

    /// An empty ledger bounded by `limits`.
    package init(limits: InvocationLimits) {
        self.limits = limits
    }

    /// Adds `bytes` to the output; false, adding nothing, when they would take it past
    /// ``InvocationLimits/maximumOutputBytes``.
    package mutating func recordOutput(_ bytes: [UInt8]) -> Bool {
        guard output.count + bytes.count <= limits.maximumOutputBytes else { return false }
        output += bytes
        return true
    }

    /// Keeps `line`, or counts it as dropped when the ledger holds as many lines as the
    /// limit allows; returns whether it was kept.
    package mutating func recordLog(_ line: RunLogLine) -> Bool {
        guard logs.count < limits.maximumLogLines else {
            droppedLogLines += 1
            return false
        }
        logs.append(line)
        return true
    }

    /// Adds the tokens of an answered inference call.
    package mutating func recordUsage(_ tokens: TokenUsage) {
        usage.promptTokens += tokens.promptTokens
        usage.completionTokens += tokens.completionTokens
    }

    /// Memory of `byteCount` bytes for the skill, valid until the allocations are taken
    /// and freed; nil when `malloc` fails.
    package mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        allocations.allocate(byteCount: byteCount)
    }

    /// Hands over the memory given to the skill so far, to be freed, and keeps none.
    package mutating func takeAllocations() -> HostAllocations {
        var taken = HostAllocations()
        swap(&taken, &allocations)
        return taken
    }

    /// What came of a `run` that returned `status` and the bytes `returned`, after the
    /// output recorded so far, with the message the skill set.
    package func outcome(status: skill_status, returned: [UInt8]) -> Result<String, InvocationFailure> {
        SkillOutcome.of(status: status, streamed: output, returned: returned, errorMessage: errorMessage, limits: limits)
    }

    /// The report of an invocation that ended with `outcome`: the usage and the lines kept
    /// so far, and a warning line counting those dropped.
    package func report(_ outcome: Result<String, InvocationFailure>) -> InvocationReport {
        var lines = logs
        if droppedLogLines > 0 {
            lines.append(RunLogLine(level: .warning, message: "\(droppedLogLines) more log lines were dropped"))
        }
        return InvocationReport(outcome: outcome, usage: usage, logs: lines)
    }
}

extension RunLogLine.Level {
    /// The levels of `skill_log_level`, in the order of their values (`SKILL_LOG_DEBUG` is 0).
    private static let skillLevels: [RunLogLine.Level] = [.debug, .info, .warning, .error]

    /// The level of a `skill_log_level`; nil for a value the ABI does not define.
    package init?(skillLevel: skill_log_level) {
        guard Self.skillLevels.indices.contains(Int(skillLevel)) else { return nil }
        self = Self.skillLevels[Int(skillLevel)]
    }

    /// The `skill_log_level` of a level a skill can log at; nil for `stdout` and `stderr`.
    package var skillLevel: skill_log_level? {
        Self.skillLevels.firstIndex(of: self).map { skill_log_level($0) }
    }
}

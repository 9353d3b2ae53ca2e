import Foundation
import SkillhostModel

/// How a run ended: its final state and what it produced.
public struct RunCompletion: Sendable {
    /// A final state (``RunStatus/isFinal``).
    public var status: RunStatus
    /// The output, as JSON text, for a run that succeeded.
    public var output: String?
    /// The kind of failure, for a run that did not succeed.
    public var errorKind: ErrorKind?
    /// What went wrong, for a person.
    public var errorMessage: String?
    /// The inference tokens the run used.
    public var usage: RunUsage
    /// When the run ended.
    public var finishedAt: Date
    /// How long the skill executed, when it started.
    public var duration: Duration?
    /// The lines logged during the run, stored with it.
    public var logs: [RunLogLine]

    /// Describes how a run ended.
    public init(
        status: RunStatus, output: String? = nil, errorKind: ErrorKind? = nil, errorMessage: String? = nil,
        usage: RunUsage = .zero, finishedAt: Date, duration: Duration? = nil, logs: [RunLogLine] = []
    ) {
        self.status = status
        self.output = output
        self.errorKind = errorKind
        self.errorMessage = errorMessage
        self.usage = usage
        self.finishedAt = finishedAt
        self.duration = duration
        self.logs = logs
    }
}

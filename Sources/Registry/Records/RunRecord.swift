import Foundation
import SkillhostModel

/// One invocation of a skill, as the registry keeps it.
public struct RunRecord: Sendable, Equatable {
    /// The run's id, increasing and never reused.
    public var id: Int64
    /// The skill's name.
    public var skillName: String
    /// The skill's version.
    public var skillVersion: String
    /// The SHA-256 of the skill file that ran; history stays exact after the skill is replaced.
    public var skillSHA256: String
    /// The input, as JSON text.
    public var input: String
    /// The output, as JSON text, once the run succeeded.
    public var output: String?
    /// Where the run is in its life.
    public var status: RunStatus
    /// The kind of failure (`skill_failed`, `inference_failed`, `interrupted`, ...).
    public var errorKind: ErrorKind?
    /// What went wrong, for a person.
    public var errorMessage: String?
    /// The model the run asked for, when it named one.
    public var model: String?
    /// What started the run (`rpc`, `schedule`, `batch`, ...).
    public var trigger: String
    /// The Unix user id of the client that started the run, when known.
    public var callerUID: UInt32?
    /// The name of the token that started the run, for a run started over HTTP.
    public var callerToken: String?
    /// The id of that token: what owns the run, since a name can be given to a new token once the old one is revoked.
    public var callerTokenID: Int64?
    /// When the run was accepted.
    public var createdAt: Date
    /// When the skill started executing.
    public var startedAt: Date?
    /// When the run reached its final state.
    public var finishedAt: Date?
    /// How long the skill executed, to the microsecond.
    public var duration: Duration?
    /// The inference tokens the run used.
    public var usage: RunUsage
    /// The batch whose item the run is an attempt of, for a run with trigger `batch`.
    public var batchID: Int64?
    /// The index of that item in its batch.
    public var batchItem: Int?
    /// The schedule whose fire started the run, for a run with trigger `schedule`.
    public var scheduleID: Int64?
    /// The run whose input this run ran again, for a run with trigger `replay`.
    public var replayOf: Int64?

    /// Describes a run.
    public init(
        id: Int64, skillName: String, skillVersion: String, skillSHA256: String, input: String,
        output: String? = nil, status: RunStatus, errorKind: ErrorKind? = nil, errorMessage: String? = nil,
        model: String? = nil, trigger: String, callerUID: UInt32? = nil, callerToken: String? = nil, callerTokenID: Int64? = nil, createdAt: Date,
        startedAt: Date? = nil, finishedAt: Date? = nil, duration: Duration? = nil, usage: RunUsage = .zero,
        batchID: Int64? = nil, batchItem: Int? = nil, scheduleID: Int64? = nil, replayOf: Int64? = nil
    ) {
        self.id = id
        self.skillName = skillName
        self.skillVersion = skillVersion
        self.skillSHA256 = skillSHA256
        self.input = input
        self.output = output
        self.status = status
        self.errorKind = errorKind
        self.errorMessage = errorMessage
        self.model = model
        self.trigger = trigger
        self.callerUID = callerUID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.duration = duration
        self.usage = usage
        self.batchID = batchID
        self.batchItem = batchItem
        self.scheduleID = scheduleID
        self.replayOf = replayOf
    }
}

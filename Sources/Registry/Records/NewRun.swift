import Foundation
import SkillhostModel

/// A run about to be recorded: everything known before the skill returns.
public struct NewRun: Sendable {
    /// The skill's name.
    public var skillName: String
    /// The skill's version.
    public var skillVersion: String
    /// The SHA-256 of the skill file that will run.
    public var skillSHA256: String
    /// The input, as JSON text.
    public var input: String
    /// The model the run asks for, when it names one.
    public var model: String?
    /// What started the run (`rpc`, `schedule`, `batch`, ...).
    public var trigger: String
    /// The Unix user id of the client that started the run, when known.
    public var callerUID: UInt32?
    /// The name of the token that started the run, for a run started over HTTP.
    public var callerToken: String?
    /// The id of that token: what owns the run, since a name can be given to a new token once the old one is revoked.
    public var callerTokenID: Int64?
    /// ``RunStatus/queued`` or ``RunStatus/running``.
    public var status: RunStatus
    /// When the run was accepted.
    public var createdAt: Date
    /// When the skill started executing, for a run created as ``RunStatus/running``.
    public var startedAt: Date?
    /// The batch whose item the run is an attempt of, for a run with trigger `batch`.
    public var batchID: Int64?
    /// The index of that item in its batch.
    public var batchItem: Int?
    /// The schedule whose fire started the run, for a run with trigger `schedule`.
    public var scheduleID: Int64?
    /// The run whose input this run ran again, for a run with trigger `replay`.
    public var replayOf: Int64?

    /// Describes a run to record.
    public init(
        skillName: String, skillVersion: String, skillSHA256: String, input: String,
        model: String? = nil, trigger: String, callerUID: UInt32? = nil, callerToken: String? = nil, callerTokenID: Int64? = nil,
        status: RunStatus = .queued, createdAt: Date, startedAt: Date? = nil,
        batchID: Int64? = nil, batchItem: Int? = nil, scheduleID: Int64? = nil, replayOf: Int64? = nil
    ) {
        self.skillName = skillName
        self.skillVersion = skillVersion
        self.skillSHA256 = skillSHA256
        self.input = input
        self.model = model
        self.trigger = trigger
        self.callerUID = callerUID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.batchID = batchID
        self.batchItem = batchItem
        self.scheduleID = scheduleID
        self.replayOf = replayOf
    }
}

import Foundation

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
    /// ``RunStatus/queued`` or ``RunStatus/running``.
    public var status: RunStatus
    /// When the run was accepted.
    public var createdAt: Date
    /// When the skill started executing, for a run created as ``RunStatus/running``.
    public var startedAt: Date?

    /// Describes a run to record.
    public init(
        skillName: String, skillVersion: String, skillSHA256: String, input: String,
        model: String? = nil, trigger: String, callerUID: UInt32? = nil,
        status: RunStatus = .queued, createdAt: Date, startedAt: Date? = nil
    ) {
        self.skillName = skillName
        self.skillVersion = skillVersion
        self.skillSHA256 = skillSHA256
        self.input = input
        self.model = model
        self.trigger = trigger
        self.callerUID = callerUID
        self.status = status
        self.createdAt = createdAt
        self.startedAt = startedAt
    }
}

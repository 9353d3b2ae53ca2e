import Foundation

/// A batch as the registry keeps it, with the counts of its items by state.
public struct BatchRecord: Sendable, Equatable {
    /// The batch's id, increasing and never reused.
    public var id: Int64
    /// The skill's name.
    public var skillName: String
    /// The skill's version that every item runs.
    public var skillVersion: String
    /// The SHA-256 of the skill's file when the batch started.
    public var skillSHA256: String
    /// How many items run at once.
    public var parallelism: Int
    /// How many times an item whose failure can pass is tried again.
    public var maximumRetries: Int
    /// The deadline of each run in milliseconds; nil: the daemon's default.
    public var timeoutMilliseconds: Int64?
    /// The model for the runs' inference calls; nil: the daemon's default.
    public var model: String?
    /// The Unix user id of the client that started the batch, when known.
    public var callerUID: UInt32?
    /// The name of the token that started the batch, for one started over HTTP; its runs record it too.
    public var callerToken: String?
    /// The id of that token: what owns the batch, since a name can be given to a new token once the old one is revoked.
    public var callerTokenID: Int64?
    /// Where the batch is in its life.
    public var status: BatchStatus
    /// When the batch was accepted.
    public var createdAt: Date
    /// When its last item ended; nil while items are pending or running.
    public var finishedAt: Date?
    /// How many items are in each state.
    public var counts: BatchCounts
    /// The schedule whose fire started the batch, if one did.
    public var scheduleID: Int64?

    /// Describes a batch.
    public init(
        id: Int64, skillName: String, skillVersion: String, skillSHA256: String, parallelism: Int,
        maximumRetries: Int, timeoutMilliseconds: Int64?, model: String?, callerUID: UInt32?,
        callerToken: String? = nil, callerTokenID: Int64? = nil, status: BatchStatus, createdAt: Date, finishedAt: Date?, counts: BatchCounts,
        scheduleID: Int64? = nil
    ) {
        self.id = id
        self.skillName = skillName
        self.skillVersion = skillVersion
        self.skillSHA256 = skillSHA256
        self.parallelism = parallelism
        self.maximumRetries = maximumRetries
        self.timeoutMilliseconds = timeoutMilliseconds
        self.model = model
        self.callerUID = callerUID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.status = status
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.counts = counts
        self.scheduleID = scheduleID
    }

    /// Whether the batch has ended: no item will start or is running.
    public var isFinished: Bool { finishedAt != nil }
}

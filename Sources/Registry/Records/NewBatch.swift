import Foundation

/// A batch about to be recorded: the skill it runs (resolved to one exact version and
/// file), how it runs, and its items.
public struct NewBatch: Sendable {
    /// The skill's name.
    public var skillName: String
    /// The skill's version: every item runs this version.
    public var skillVersion: String
    /// The SHA-256 of the skill's file when the batch started.
    public var skillSHA256: String
    /// How many items run at once (1 to 64).
    public var parallelism: Int
    /// How many times a failed item is tried again when its failure can pass (0 to 10).
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
    /// When the batch was accepted.
    public var createdAt: Date
    /// The items' inputs as JSON text, in item order.
    public var inputs: [String]
    /// The schedule whose fire started the batch, if one did.
    public var scheduleID: Int64?

    /// Describes a batch to record.
    public init(
        skillName: String, skillVersion: String, skillSHA256: String, parallelism: Int, maximumRetries: Int,
        timeoutMilliseconds: Int64? = nil, model: String? = nil, callerUID: UInt32? = nil, callerToken: String? = nil, callerTokenID: Int64? = nil, createdAt: Date,
        inputs: [String], scheduleID: Int64? = nil
    ) {
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
        self.createdAt = createdAt
        self.inputs = inputs
        self.scheduleID = scheduleID
    }
}

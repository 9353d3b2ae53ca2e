import Foundation

/// A schedule as the registry keeps it.
public struct ScheduleRecord: Sendable, Equatable {
    /// The schedule's id, increasing and never reused.
    public var id: Int64
    /// The skill each fire runs: `name`, or `name@version`.
    public var skill: String
    /// The cron expression, as given.
    public var cron: String
    /// The IANA name of the time zone the cron expression is read in.
    public var timeZone: String
    /// What each fire gives the skill.
    public var input: ScheduleInput
    /// How many items of a batch run at once.
    public var parallelism: Int
    /// What a fire does while the previous fire's work still runs.
    public var concurrency: ScheduleConcurrency
    /// What the daemon does at start-up about the fire times it missed.
    public var catchUp: ScheduleCatchUp
    /// Whether the schedule is paused: it does not fire until resumed.
    public var paused: Bool
    /// The Unix user id of the client that added the schedule, when known.
    public var callerUID: UInt32?
    /// The Unix group id of that client, when known.
    public var callerGID: UInt32?
    /// The name of the token that added the schedule, for one added over HTTP; its runs and
    /// batches record it too.
    public var callerToken: String?
    /// The id of that token: what owns the schedule, since a name can be given to a new token once the old one is revoked.
    public var callerTokenID: Int64?
    /// When the schedule was added.
    public var createdAt: Date
    /// When a fire of it last started work.
    public var lastFireAt: Date?
    /// Its next fire time; nil while paused, or when the expression fires no more.
    public var nextFireAt: Date?

    /// Describes a schedule.
    public init(id: Int64, skill: String, cron: String, timeZone: String, input: ScheduleInput, parallelism: Int,
                concurrency: ScheduleConcurrency, catchUp: ScheduleCatchUp, paused: Bool, callerUID: UInt32?,
                callerGID: UInt32?, callerToken: String? = nil, callerTokenID: Int64? = nil, createdAt: Date, lastFireAt: Date?, nextFireAt: Date?) {
        self.id = id
        self.skill = skill
        self.cron = cron
        self.timeZone = timeZone
        self.input = input
        self.parallelism = parallelism
        self.concurrency = concurrency
        self.catchUp = catchUp
        self.paused = paused
        self.callerUID = callerUID
        self.callerGID = callerGID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.createdAt = createdAt
        self.lastFireAt = lastFireAt
        self.nextFireAt = nextFireAt
    }
}

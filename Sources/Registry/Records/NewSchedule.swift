import Foundation

/// A schedule about to be recorded.
public struct NewSchedule: Sendable {
    /// The skill each fire runs: `name`, or `name@version`.
    public var skill: String
    /// The cron expression, as given.
    public var cron: String
    /// The IANA name of the time zone the cron expression is read in.
    public var timeZone: String
    /// What each fire gives the skill.
    public var input: ScheduleInput
    /// How many items of a batch run at once (1 to 64); for a fixed input, unused.
    public var parallelism: Int
    /// What a fire does while the previous fire's work still runs.
    public var concurrency: ScheduleConcurrency
    /// What the daemon does at start-up about the fire times it missed.
    public var catchUp: ScheduleCatchUp
    /// The Unix user id of the client that added the schedule, when known.
    public var callerUID: UInt32?
    /// The Unix group id of that client, when known: an input file is read as that user.
    public var callerGID: UInt32?
    /// The name of the token that added the schedule, for one added over HTTP; its runs and
    /// batches record it too.
    public var callerToken: String?
    /// The id of that token: what owns the schedule, since a name can be given to a new token once the old one is revoked.
    public var callerTokenID: Int64?
    /// When the schedule was added.
    public var createdAt: Date
    /// The first fire time; nil when the expression never fires.
    public var nextFireAt: Date?

    /// Describes a schedule to record.
    public init(skill: String, cron: String, timeZone: String, input: ScheduleInput, parallelism: Int = 1,
                concurrency: ScheduleConcurrency = .allow, catchUp: ScheduleCatchUp = .skip, callerUID: UInt32? = nil,
                callerGID: UInt32? = nil, callerToken: String? = nil, callerTokenID: Int64? = nil, createdAt: Date, nextFireAt: Date?) {
        self.skill = skill
        self.cron = cron
        self.timeZone = timeZone
        self.input = input
        self.parallelism = parallelism
        self.concurrency = concurrency
        self.catchUp = catchUp
        self.callerUID = callerUID
        self.callerGID = callerGID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.createdAt = createdAt
        self.nextFireAt = nextFireAt
    }
}

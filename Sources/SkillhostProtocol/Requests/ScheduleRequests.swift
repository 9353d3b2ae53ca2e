import JSON
import JSONRPC
import SkillhostModel

/// `schedules.add`: records a schedule.
public struct AddScheduleRequest: SkillhostRequest {
    public static let method = "schedules.add"
    public static let summary = "records a schedule that runs a skill, or starts a batch, at the times of a cron expression"
    public static let errorKinds: [ErrorKind] = [.notFound, .permissionDenied]
    /// The schedule record.
    public typealias Result = JSONValue

    /// `NAME` or `NAME@VERSION`.
    public var skill: String
    /// The cron expression.
    public var cron: String
    /// An IANA time zone; `nil`: the daemon's.
    public var timezone: String?
    /// The fixed input of each fire; `nil`: `{}` (or give ``inputFile``).
    public var input: JSONValue?
    /// The absolute path of a JSONL file each fire starts a batch over.
    public var inputFile: String?
    /// `allow`, `forbid` or `replace`; `nil`: `allow`.
    public var concurrency: String?
    /// `skip` or `once`; `nil`: `skip`.
    public var catchUp: String?
    /// Items of each batch run at once, 1 to 64; `nil`: 1.
    public var parallelism: Int?

    /// A request as given.
    public init(skill: String, cron: String, timezone: String? = nil, input: JSONValue? = nil, inputFile: String? = nil,
                concurrency: String? = nil, catchUp: String? = nil, parallelism: Int? = nil) {
        self.skill = skill
        self.cron = cron
        self.timezone = timezone
        self.input = input
        self.inputFile = inputFile
        self.concurrency = concurrency
        self.catchUp = catchUp
        self.parallelism = parallelism
    }

    private enum CodingKeys: String, CodingKey {
        case skill, cron, timezone, input, concurrency, parallelism
        case inputFile = "input_file"
        case catchUp = "catch_up"
    }
}

/// `schedules.list`: every schedule.
public struct ListSchedulesRequest: SkillhostRequest {
    public static let method = "schedules.list"
    public static let summary = "every schedule, oldest first"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = ScheduleList

    /// The request; it takes no params.
    public init() {}
}

/// What `schedules.list` answers.
public struct ScheduleList: Codable, Sendable {
    /// Schedule records.
    public var schedules: [JSONValue]

    /// A list as given.
    public init(schedules: [JSONValue]) {
        self.schedules = schedules
    }
}

/// `schedules.get`: a schedule with its last 20 fires, newest first.
public struct GetScheduleRequest: SkillhostRequest {
    public static let method = "schedules.get"
    public static let summary = "a schedule with its last 20 fires, newest first"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The schedule record, with `fires`.
    public typealias Result = JSONValue

    /// The schedule's id.
    public var scheduleID: Int64

    /// A request as given.
    public init(scheduleID: Int64) {
        self.scheduleID = scheduleID
    }

    private enum CodingKeys: String, CodingKey {
        case scheduleID = "schedule_id"
    }
}

/// `schedules.remove`: removes a schedule; the runs and batches it started remain.
public struct RemoveScheduleRequest: SkillhostRequest {
    public static let method = "schedules.remove"
    public static let summary = "removes a schedule; the runs and batches it started remain"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The removed schedule record.
    public typealias Result = JSONValue

    /// The schedule's id.
    public var scheduleID: Int64

    /// A request as given.
    public init(scheduleID: Int64) {
        self.scheduleID = scheduleID
    }

    private enum CodingKeys: String, CodingKey {
        case scheduleID = "schedule_id"
    }
}

/// `schedules.pause`: stops a schedule firing until it is resumed.
public struct PauseScheduleRequest: SkillhostRequest {
    public static let method = "schedules.pause"
    public static let summary = "stops a schedule firing until it is resumed"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The schedule record.
    public typealias Result = JSONValue

    /// The schedule's id.
    public var scheduleID: Int64

    /// A request as given.
    public init(scheduleID: Int64) {
        self.scheduleID = scheduleID
    }

    private enum CodingKeys: String, CodingKey {
        case scheduleID = "schedule_id"
    }
}

/// `schedules.resume`: a paused schedule fires again from its next fire time after now.
public struct ResumeScheduleRequest: SkillhostRequest {
    public static let method = "schedules.resume"
    public static let summary = "a paused schedule fires again from its next fire time after now"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The schedule record.
    public typealias Result = JSONValue

    /// The schedule's id.
    public var scheduleID: Int64

    /// A request as given.
    public init(scheduleID: Int64) {
        self.scheduleID = scheduleID
    }

    private enum CodingKeys: String, CodingKey {
        case scheduleID = "schedule_id"
    }
}

/// `schedules.trigger`: fires a schedule now.
public struct TriggerScheduleRequest: SkillhostRequest {
    public static let method = "schedules.trigger"
    public static let summary = "fires a schedule now, paused or not, under its concurrency policy"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = TriggeredFire

    /// The schedule's id.
    public var scheduleID: Int64

    /// A request as given.
    public init(scheduleID: Int64) {
        self.scheduleID = scheduleID
    }

    private enum CodingKeys: String, CodingKey {
        case scheduleID = "schedule_id"
    }
}

/// What `schedules.trigger` answers.
public struct TriggeredFire: Codable, Sendable {
    /// The schedule's id.
    public var scheduleID: Int64
    /// The fire record.
    public var fire: JSONValue

    /// An answer as given.
    public init(scheduleID: Int64, fire: JSONValue) {
        self.scheduleID = scheduleID
        self.fire = fire
    }

    private enum CodingKeys: String, CodingKey {
        case fire
        case scheduleID = "schedule_id"
    }
}

import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl schedules show ID`: a schedule and its latest fires.
struct ShowScheduleCommand: ScheduleIDCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "show", abstract: "a schedule and its last 20 fires", arguments: [ScheduleIDArgument.scheduleID])

    let scheduleID: Int64

    func request(in context: CommandContext) -> GetScheduleRequest {
        GetScheduleRequest(scheduleID: scheduleID)
    }

    func render(_ result: JSONValue) -> String {
        ScheduleOutput.renderSchedule(result)
    }
}

/// `skillctl schedules remove ID`.
struct RemoveScheduleCommand: ScheduleIDCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "remove", abstract: "removes a schedule; the runs and batches it started remain",
        arguments: [ScheduleIDArgument.scheduleID])

    let scheduleID: Int64

    func request(in context: CommandContext) -> RemoveScheduleRequest {
        RemoveScheduleRequest(scheduleID: scheduleID)
    }

    func render(_ result: JSONValue) -> String {
        "schedule \(Formatting.plain(result["schedule_id"])) removed"
    }
}

/// `skillctl schedules pause ID`.
struct PauseScheduleCommand: ScheduleIDCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "pause", abstract: "stops a schedule firing until resumed", arguments: [ScheduleIDArgument.scheduleID])

    let scheduleID: Int64

    func request(in context: CommandContext) -> PauseScheduleRequest {
        PauseScheduleRequest(scheduleID: scheduleID)
    }

    func render(_ result: JSONValue) -> String {
        ScheduleOutput.renderSchedule(result)
    }
}

/// `skillctl schedules resume ID`.
struct ResumeScheduleCommand: ScheduleIDCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "resume", abstract: "goes on from a schedule's next fire time after now",
        arguments: [ScheduleIDArgument.scheduleID])

    let scheduleID: Int64

    func request(in context: CommandContext) -> ResumeScheduleRequest {
        ResumeScheduleRequest(scheduleID: scheduleID)
    }

    func render(_ result: JSONValue) -> String {
        ScheduleOutput.renderSchedule(result)
    }
}

/// `skillctl schedules trigger ID`: fires a schedule now.
struct TriggerScheduleCommand: ScheduleIDCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "trigger", abstract: "fires a schedule now, under its concurrency policy",
        arguments: [ScheduleIDArgument.scheduleID])

    let scheduleID: Int64

    func request(in context: CommandContext) -> TriggerScheduleRequest {
        TriggerScheduleRequest(scheduleID: scheduleID)
    }

    func render(_ result: TriggeredFire) -> String {
        ScheduleOutput.renderFire(result.fire)
    }
}

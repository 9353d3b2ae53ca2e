/// A schedule command whose one argument is the schedule's id.
protocol ScheduleIDCommand: DaemonRequestCommand {
    /// The schedule.
    var scheduleID: Int64 { get }

    /// The command on schedule `scheduleID`.
    init(scheduleID: Int64)
}

/// The one argument of a ``ScheduleIDCommand``.
enum ScheduleIDArgument {
    /// `ID`.
    static let scheduleID = Argument(kind: .scheduleID, help: "the schedule")
}

extension ScheduleIDCommand {
    init(_ arguments: ParsedArguments) throws(UsageError) {
        self.init(scheduleID: try arguments.required(ScheduleIDArgument.scheduleID))
    }
}

import SkillhostProtocol

/// `skillctl schedules [list]`: every schedule.
struct ListSchedulesCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(name: "list", abstract: "every schedule with its next fire time")

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> ListSchedulesRequest {
        ListSchedulesRequest()
    }

    func render(_ result: ScheduleList) -> String {
        ScheduleOutput.renderList(result)
    }
}

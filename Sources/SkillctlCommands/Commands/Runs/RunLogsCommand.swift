import SkillhostProtocol

/// `skillctl logs ID`: the lines a run logged.
struct RunLogsCommand: DaemonRequestCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run")

    static let declaration = CommandDeclaration(
        name: "logs", abstract: "the lines run ID logged",
        discussion: "Prints the lines run ID logged (host->log), oldest first, as LEVEL MESSAGE.", arguments: [runID])

    /// The run.
    var runID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
    }

    func request(in context: CommandContext) -> RunLogsRequest {
        RunLogsRequest(runID: runID)
    }

    func render(_ result: RunLogs) -> String {
        RunOutput.renderLogs(result)
    }
}

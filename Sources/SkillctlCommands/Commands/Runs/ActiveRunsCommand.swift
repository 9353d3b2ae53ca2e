import SkillhostProtocol

/// `skillctl ps`: the runs in flight now.
struct ActiveRunsCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "ps", abstract: "the runs in flight now: skill, model, elapsed time, caller",
        discussion: """
            Lists the runs in flight, oldest first: RUN, SKILL, MODEL, TRIGGER, STARTED,
            ELAPSED, CALLER. CALLER is the uid and pid of the client that asked for the run
            (uid 1000 pid 4242), as the kernel reported them when it connected; a batch's or
            a schedule's run shows the uid that started it and its batch or schedule.
            `skillctl runs show ID` shows one run in full.
            """)

    init(_ arguments: ParsedArguments) throws(UsageError) {}

    func request(in context: CommandContext) -> ActiveRunsRequest {
        ActiveRunsRequest()
    }

    func render(_ result: ActiveRuns) -> String {
        RunOutput.renderActive(result)
    }
}

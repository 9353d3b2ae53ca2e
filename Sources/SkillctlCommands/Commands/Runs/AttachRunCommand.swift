/// `skillctl runs attach ID`: follows a run's output and log lines from its beginning, and
/// exits with its outcome.
struct AttachRunCommand: SkillctlCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run")

    static let declaration = CommandDeclaration(
        name: "attach", abstract: "prints a run's output and log lines from its beginning, then as it goes on",
        discussion: """
            Prints the output of run ID as `run --stream` does, from its beginning: what it has
            produced so far, then the rest as it comes, with its log lines on standard error;
            then exits with the run's status (an error on standard error, as `run`). Works from
            any terminal, while the run goes on and after it ended (then its stored log lines
            come first, its output after them). Interrupting skillctl stops following; the run
            goes on (`runs cancel` ends it). With --json, each notification is a line of JSON,
            then the run's record.
            """,
        arguments: [runID])

    /// The run.
    var runID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        await StreamedRun.attach(to: runID, at: context.socketPath, json: context.json)
    }
}

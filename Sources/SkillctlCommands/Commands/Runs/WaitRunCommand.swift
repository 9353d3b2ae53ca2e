import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// `skillctl runs wait ID [--timeout SECONDS | --timeout-ms MS]`: waits for a run's end and
/// exits with its outcome.
struct WaitRunCommand: SkillctlCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run")
    static let timeout = Option("--timeout", kind: .seconds, help: "wait at most this long (e.g. 30, 0.5)")
    static let timeoutMilliseconds = Option("--timeout-ms", kind: .milliseconds, help: "the same, in milliseconds")

    static let declaration = CommandDeclaration(
        name: "wait", abstract: "waits for a run to end, and exits with its outcome",
        discussion: """
            Waits for run ID (such as one `run --detach` started) to end, then prints its output
            as `run` does, or its error on standard error, and exits with the run's status. A
            run that has ended is printed at once. With --timeout, a run still going when it
            passes is said on standard error, with exit status 11; the run goes on. With --json,
            the run's record.
            """,
        arguments: [runID], options: [timeout, timeoutMilliseconds], exclusiveOptions: [[timeout, timeoutMilliseconds]])

    /// The run.
    var runID: Int64
    /// `--timeout` or `--timeout-ms`, in milliseconds; `nil`: until the run ends.
    var timeoutMilliseconds: Int64?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
        timeoutMilliseconds = try arguments.value(Self.timeout)
        if timeoutMilliseconds == nil { timeoutMilliseconds = try arguments.value(Self.timeoutMilliseconds) }
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(WaitRunRequest(runID: runID, timeoutMilliseconds: timeoutMilliseconds))
            return RunEnding.finish(answer.result, json: context.json)
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}

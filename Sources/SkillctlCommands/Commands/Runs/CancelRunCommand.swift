import JSONRPC
import SkillhostProtocol

/// `skillctl runs cancel ID`: ends a run in flight as cancelled.
struct CancelRunCommand: SkillctlCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run")

    static let declaration = CommandDeclaration(
        name: "cancel", abstract: "ends a run in flight at once, as cancelled",
        discussion: """
            Ends run ID at once, whoever started it (`run`, `run --detach`, a batch, a schedule):
            its skill is stopped where it is (a worker process running it is killed and
            replaced) and the run is recorded as cancelled. Prints `run ID cancelled` (--json:
            the daemon's answer, {cancelled, run}). A run that had ended already is left as it ended: its status is
            said on standard error, with exit status 1.
            """,
        arguments: [runID])

    /// The run.
    var runID: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(CancelRunRequest(runID: runID))
            let cancelled = answer.result.cancelled
            if context.json {
                Console.output(answer.json.serialized())
            } else if cancelled {
                Console.output("run \(runID) cancelled")
            } else {
                Console.error("run \(runID) had ended already: \(answer.result.run["status"]?.stringValue ?? "unknown")")
            }
            return cancelled ? .success : .failed
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}

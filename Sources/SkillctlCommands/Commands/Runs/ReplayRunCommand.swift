import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// `skillctl runs replay ID [--version V]`: runs a recorded run's input again.
struct ReplayRunCommand: DaemonRequestCommand, Equatable {
    static let runID = Argument(kind: .runID, help: "the run whose input to run again")
    static let version = Option("--version", kind: .text("V"), help: "run this installed version of the skill (default: the run's)")

    static let declaration = CommandDeclaration(
        name: "replay", abstract: "runs a recorded run's input again, on the same or another version",
        discussion: """
            Runs the input of run ID again, with the model it ran with, on the same version of its
            skill or on --version V, and shows the new run (its replay_of is ID). Compare the two
            with `skillctl runs diff ID NEW`: the check to run before moving users to a new
            version. The exit status is the new run's, as `skillctl run` gives it.
            """,
        arguments: [runID], options: [version])

    /// The run to replay.
    var runID: Int64
    /// `--version`.
    var version: String?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        runID = try arguments.required(Self.runID)
        version = try arguments.value(Self.version)
    }

    func request(in context: CommandContext) -> ReplayRunRequest {
        ReplayRunRequest(runID: runID, version: version)
    }

    func render(_ result: JSONValue) -> String {
        RunOutput.renderShow(result)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(request(in: context))
            Console.output(context.json ? answer.json.serialized() : render(answer.result))
            guard answer.result["status"]?.stringValue != RunStatus.succeeded.rawValue else { return .success }
            return ExitCode(errorKind: answer.result["error"]?["kind"]?.stringValue.flatMap(ErrorKind.init(rawValue:)))
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}

/// `skillctl runs diff A B`: the outputs of two runs, line by line.
struct DiffRunsCommand: SkillctlCommand, Equatable {
    static let first = Argument("A", kind: .runID, help: "the first run (lines only in it are marked -)")
    static let second = Argument("B", kind: .runID, help: "the second run (lines only in it are marked +)")

    static let declaration = CommandDeclaration(
        name: "diff", abstract: "compares the outputs of two runs; exit status 0 when the same, 1 when they differ",
        discussion: """
            Shows the outputs of runs A and B line by line: lines in both once, those only in A
            marked -, those only in B marked +. Two JSON outputs are compared as values (key
            order does not count) and listed pretty-printed, keys sorted; other outputs as text. A
            run that did not succeed is compared by its status and error. Exit status 0 when the
            two ended alike, 1 when they differ. With --json: {equal, first, second, lines:
            [{side, text}]}.
            """,
        arguments: [first, second])

    /// The first run.
    var first: Int64
    /// The second run.
    var second: Int64

    init(_ arguments: ParsedArguments) throws(UsageError) {
        first = try arguments.required(Self.first)
        second = try arguments.required(Self.second)
    }

    func execute(in context: CommandContext) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let firstRun = try await client.send(GetRunRequest(runID: first)).result
            let secondRun = try await client.send(GetRunRequest(runID: second)).result
            let diff = RunDiff(firstRun, secondRun)
            Console.output(context.json
                ? diff.json(first: firstRun, second: secondRun).serialized()
                : diff.rendered(first: firstRun, second: secondRun))
            return diff.equal ? .success : .failed
        } catch {
            return Console.report(error, json: context.json)
        }
    }
}

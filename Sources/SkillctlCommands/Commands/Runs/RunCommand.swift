import JSONRPC
import SkillhostProtocol

/// `skillctl run SKILL [INPUT|-|@FILE]`: runs a skill and prints its output.
struct RunCommand: DaemonRequestCommand, Equatable {
    static let skill = Argument(kind: .skill, help: "NAME or NAME@VERSION")
    static let input = Argument(kind: .runInput, isOptional: true,
                                help: "the skill's input: JSON or text, - for standard input, @FILE for a file's")
    static let timeout = Option("--timeout", kind: .seconds, help: "fail the run after this long (e.g. 30, 0.5)")
    static let timeoutMilliseconds = Option("--timeout-ms", kind: .milliseconds, help: "the same, in milliseconds")
    static let model = Option("--model", kind: .model, help: """
        the model the skill's inference calls use (one of `skillctl inference models`; default: the daemon's \
        default model)
        """)
    static let stream = Flag("--stream", help: """
        print the output as the run produces it (chunks the skill writes, and model text it streams), with the \
        run's log lines on standard error; with --json, each notification is a line of JSON before the result. \
        Interrupting skillctl cancels the run.
        """)
    static let detach = Flag("--detach", help: """
        start the run and print its id at once; the run goes on in the daemon after skillctl exits \
        (`runs wait`, `runs attach`, `runs cancel` ID)
        """)

    static let declaration = CommandDeclaration(
        name: "run",
        abstract: "runs a skill and prints its output (with --stream, as it is produced; with --detach, its run id)",
        discussion: """
            Runs SKILL (NAME or NAME@VERSION) and prints its output: a JSON string raw,
            any other JSON value pretty-printed.

            INPUT is parsed as JSON when it is valid JSON, and sent as a JSON string
            otherwise; text that starts with { or [ but is not valid JSON is refused as a
            likely typo. `-` reads it from standard input, `@FILE` from a file (text that is
            not JSON loses one trailing newline). Without INPUT the skill gets {}.
            """,
        arguments: [skill, input], options: [timeout, timeoutMilliseconds, model, stream, detach],
        exclusiveOptions: [[timeout, timeoutMilliseconds], [stream, detach]])

    /// `NAME` or `NAME@VERSION`.
    var skill: String
    /// Where the input comes from; `nil`: the daemon's default, `{}`.
    var input: RunInput?
    /// `--timeout` or `--timeout-ms`, in milliseconds.
    var timeoutMilliseconds: Int64?
    /// The same, as typed.
    var typedTimeout: TypedTimeout?
    /// `--model`.
    var model: String?
    /// `--stream`.
    var stream: Bool
    /// `--detach`.
    var detach: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = try arguments.required(Self.skill)
        input = try arguments.value(Self.input)
        timeoutMilliseconds = try arguments.value(Self.timeout)
        if timeoutMilliseconds == nil { timeoutMilliseconds = try arguments.value(Self.timeoutMilliseconds) }
        typedTimeout = TypedTimeout(arguments, seconds: Self.timeout, milliseconds: Self.timeoutMilliseconds)
        model = try arguments.value(Self.model)
        stream = arguments.isSet(Self.stream)
        detach = arguments.isSet(Self.detach)
    }

    func request(in context: CommandContext) throws(UsageError) -> RunSkillRequest {
        RunSkillRequest(skill: skill, input: try input?.value(in: context), model: model,
                        timeoutMilliseconds: timeoutMilliseconds, stream: stream ? true : nil)
    }

    func render(_ result: RunResult) -> String {
        RunOutput.renderRunResult(result)
    }

    func explain(_ error: JSONRPCError) -> String? {
        typedTimeout?.explanation(of: error)
    }

    /// With `--stream`, prints the output as it comes; with `--detach`, the run's id; else
    /// the one answer.
    func execute(in context: CommandContext) async -> ExitCode {
        if detach { return await start(in: context) }
        guard stream else { return await send(in: context) }
        do {
            return await StreamedRun.run(try request(in: context), at: context.socketPath, json: context.json,
                                         explaining: explain)
        } catch {
            Console.error(error.description)
            return .usage
        }
    }

    /// Starts the run detached (`runs.start`) and prints its id (`--json`: the answer).
    private func start(in context: CommandContext) async -> ExitCode {
        let run: RunSkillRequest
        do {
            run = try request(in: context)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(StartRunRequest(
                skill: run.skill, input: run.input, model: run.model, timeoutMilliseconds: run.timeoutMilliseconds))
            Console.output(context.json ? answer.json.serialized() : "\(answer.result.runID)")
            return .success
        } catch {
            return Console.report(error, json: context.json, explaining: explain)
        }
    }
}

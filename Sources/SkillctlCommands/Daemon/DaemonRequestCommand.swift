import JSON
import JSONRPC
import SkillhostProtocol

/// A command that is one request to the daemon: the request it sends, declared in the
/// protocol, and how its result is shown to people; with `--json`, the result is printed
/// as the daemon sent it.
protocol DaemonRequestCommand: SkillctlCommand {
    /// The protocol request the command sends.
    associatedtype Request: SkillhostRequest

    /// The request, with what the command names read (files, standard input).
    /// - Throws: when what it names cannot be read.
    func request(in context: CommandContext) throws(UsageError) -> Request

    /// The result as people read it.
    func render(_ result: Request.Result) -> String

    /// A daemon error said in the command's own terms (the option typed, not the param
    /// sent), or `nil` to show the daemon's message.
    func explain(_ error: JSONRPCError) -> String?

    /// What to warn about a result that did what was asked but with a consequence to know
    /// (an endpoint attached that does not answer), or `nil`; written to standard error,
    /// with `--json` too.
    func warning(about result: Request.Result) -> String?
}

extension DaemonRequestCommand {
    func explain(_ error: JSONRPCError) -> String? {
        nil
    }

    func warning(about result: Request.Result) -> String? {
        nil
    }

    func execute(in context: CommandContext) async -> ExitCode {
        await send(in: context)
    }

    /// Sends the request and prints the result: rendered, or with `--json` as it came.
    func send(in context: CommandContext) async -> ExitCode {
        let request: Request
        do {
            request = try self.request(in: context)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do {
            let client = try JSONRPCClient(socketPath: context.socketPath)
            defer { client.close() }
            let answer = try await client.send(request)
            Console.output(context.json ? answer.json.serialized() : render(answer.result))
            if let warning = warning(about: answer.result) { Console.warning(warning) }
            return .success
        } catch {
            return Console.report(error, json: context.json, explaining: explain)
        }
    }
}

import Dispatch
import Foundation
import InferenceDriver
import JSON
import JSONRPC
import SkillRuntime
import SkillhostModel
import SkillhostProtocol

/// `skillbench host`: the daemon's serving path without its registry, as a baseline that
/// shows what recording costs.
///
/// It serves `skills.run` on a Unix socket with the daemon's own ``JSONRPCServer`` and runs
/// one skill file with the daemon's own ``InProcessRunner``, answering with the same result
/// shape, but resolves the skill once at start and records nothing (no SQLite, no run log
/// line). The difference between its throughput and the daemon's is the registry's cost.
/// It runs in a process of its own, as the daemon does, so clients and host compete for the
/// two cores the same way in both measurements.
enum UnrecordedHost {
    /// Serves until killed. `arguments`: `--socket PATH --skill PATH.so --name NAME`.
    static func main(arguments: [String]) -> Never {
        var options: [String: String] = [:]
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            guard flag.hasPrefix("--"), let value = remaining.popFirst() else {
                fatalUsage("expected --socket PATH --skill PATH.so --name NAME, got \(arguments)")
            }
            options[String(flag.dropFirst(2))] = value
        }
        guard let socket = options["socket"], let skill = options["skill"], let name = options["name"] else {
            fatalUsage("--socket, --skill and --name are required")
        }
        let inference = OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: URL(string: "http://127.0.0.1:9")!))
        let handler = UnrecordedRunHandler(
            skillName: name, skillPath: skill, runner: InProcessRunner(inference: inference))
        let server = JSONRPCServer(socketPath: socket, handler: handler)
        do {
            try server.start()
        } catch {
            fatalUsage("cannot serve \(socket): \(error)")
        }
        dispatchMain()
    }

    private static func fatalUsage(_ message: String) -> Never {
        FileHandle.standardError.write(Data("skillbench host: \(message)\n".utf8))
        exit(2)
    }
}

/// Answers `skills.run {skill, input}` as the daemon does, from one skill run in process.
struct UnrecordedRunHandler: JSONRPCMethodHandler {
    /// The only skill name it answers to.
    let skillName: String
    /// The skill file.
    let skillPath: String
    /// The daemon's in-process runner.
    let runner: InProcessRunner

    func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
        guard call.method == RunSkillRequest.method else { throw .methodNotFound(call.method) }
        let request = try RunSkillRequest.decodeParams(call.params)
        guard request.skill == skillName else {
            throw JSONRPCError(.notFound, message: "this host runs only \(skillName), not \(request.skill)")
        }
        let inputText = (request.input ?? .object([:])).serialized()
        let clock = ContinuousClock()
        let begin = clock.now
        let report = await runner.run(
            skillPath: skillPath, sha256: "unrecorded",
            invocation: Invocation(input: Array(inputText.utf8), model: nil, timeout: .seconds(60)))
        let duration = clock.now - begin
        switch report.outcome {
        case .success(let output):
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            let payload = PayloadKind.value(of: output)
            return try RunSkillRequest.encodeResult(RunResult(
                runID: 0, status: RunStatus.succeeded.rawValue, output: payload.value, outputKind: payload.kind,
                usage: TokenCounts(promptTokens: Int64(report.usage.promptTokens),
                                  completionTokens: Int64(report.usage.completionTokens)),
                durationMilliseconds: seconds * 1000))
        case .failure(let failure):
            throw JSONRPCError(failure.kind, message: failure.description)
        }
    }
}

import Foundation
import JSON
import JSONRPC

/// What skillctl does with its command line, from parsing to exit status.
enum Skillctl {
    /// Runs skillctl with `arguments` (without the program name) and returns its exit status.
    static func run(_ arguments: [String], environment: [String: String], workingDirectory: String) async -> ExitCode {
        let invocation: Invocation
        do {
            invocation = try Invocation.parse(arguments)
        } catch {
            Console.error(error.description)
            return .usage
        }
        switch invocation.action {
        case .help(let command):
            Console.output(Help.text(for: command))
            return .success
        case .version:
            Console.output("skillctl \(Help.version)")
            return .success
        case .batch(let command):
            let socketPath = SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment)
            return await BatchClient.run(command, socketPath: socketPath, json: invocation.json, workingDirectory: workingDirectory)
        case .schedules(let command):
            let socketPath = SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment)
            return await ScheduleClient.run(command, socketPath: socketPath, json: invocation.json, workingDirectory: workingDirectory)
        case .inference(let command):
            let socketPath = SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment)
            return await InferenceClient.run(command, socketPath: socketPath, json: invocation.json, workingDirectory: workingDirectory)
        case .cronNext(let request):
            switch CronCommand.next(request, now: Date(), localTimeZone: .current) {
            case .success(let lines):
                Console.output(lines)
                return .success
            case .failure(let error):
                Console.error(error.description)
                return .usage
            }
        case .command(let command):
            let request: DaemonRequest
            do {
                request = try command.request(workingDirectory: workingDirectory)
            } catch {
                Console.error(error.description)
                return .usage
            }
            let socketPath = SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment)
            if case .run(_, _, _, _, stream: true) = command {
                return await StreamedRun.run(request, at: socketPath, json: invocation.json)
            }
            return await call(request, at: socketPath, json: invocation.json, render: renderer(for: command))
        }
    }

    private static func call(_ request: DaemonRequest, at socketPath: String, json: Bool,
                             render: (JSONValue) -> String) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            let result = try await client.call(request.method, params: request.params)
            Console.output(json ? result.serialized() : render(result))
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }

    private static func renderer(for command: Command) -> (JSONValue) -> String {
        switch command {
        case .status: return StatusOutput.render
        case .install: return SkillOutput.renderInstall
        case .list: return SkillOutput.renderList
        case .show: return SkillOutput.renderShow
        case .remove: return SkillOutput.renderRemove
        case .run: return RunOutput.renderRunResult
        case .runs: return RunOutput.renderList
        case .runsShow: return RunOutput.renderShow
        case .logs: return RunOutput.renderLogs
        case .isolation: return SkillOutput.renderIsolation
        case .memoryLimit: return SkillOutput.renderMemoryLimit
        }
    }
}

import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

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
            let socketPath = SkillhostSocketPath.resolve(explicit: invocation.socketPath, environment: environment)
            do {
                if case .run(_, _, _, _, stream: true) = command {
                    let request = try command.runRequest(workingDirectory: workingDirectory)
                    return await StreamedRun.run(request, at: socketPath, json: invocation.json)
                }
                return await perform(try command.call(workingDirectory: workingDirectory), at: socketPath,
                                     json: invocation.json)
            } catch {
                Console.error(error.description)
                return .usage
            }
        }
    }

    private static func perform(_ call: DaemonCall, at socketPath: String, json: Bool) async -> ExitCode {
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            Console.output(try await call.perform(on: client, json: json))
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }
}

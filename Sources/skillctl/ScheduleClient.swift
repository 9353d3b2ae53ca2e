import Foundation
import JSON
import JSONRPC

/// Carries out `skillctl schedules ...` and prints the result.
enum ScheduleClient {
    /// Runs `command` against the daemon at `socketPath` and returns skillctl's exit status.
    static func run(_ command: ScheduleCommand, socketPath: String, json: Bool, workingDirectory: String) async -> ExitCode {
        let params: JSONValue
        do {
            params = try self.params(command, workingDirectory: workingDirectory)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            let result = try await client.call(command.method, params: params)
            if json {
                Console.output(result.serialized())
            } else {
                switch command {
                case .list: Console.output(ScheduleOutput.renderList(result))
                case .trigger: Console.output(ScheduleOutput.renderFire(result["fire"]))
                case .remove: Console.output("schedule \(Formatting.plain(result["schedule_id"])) removed")
                case .add, .show, .pause, .resume: Console.output(ScheduleOutput.renderSchedule(result))
                }
            }
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }

    /// The params of the call `command` makes.
    private static func params(_ command: ScheduleCommand, workingDirectory: String) throws(UsageError) -> JSONValue {
        switch command {
        case .list:
            return .object([:])
        case let .show(id), let .remove(id), let .pause(id), let .resume(id), let .trigger(id):
            return .object(["schedule_id": .int(id)])
        case let .add(add):
            var params: [String: JSONValue] = ["skill": .string(add.skill), "cron": .string(add.cron)]
            if let zone = add.timeZone { params["timezone"] = .string(zone) }
            if let policy = add.concurrency { params["concurrency"] = .string(policy) }
            if let policy = add.catchUp { params["catch_up"] = .string(policy) }
            if let parallelism = add.parallelism { params["parallelism"] = .int(Int64(parallelism)) }
            switch add.input {
            case .none:
                break
            case let .argument(text):
                params["input"] = (try? JSONValue(parsing: text)) ?? .string(text)
            case let .file(path):
                let absolutePath = Command.absolute(path, in: workingDirectory)
                guard let data = FileManager.default.contents(atPath: absolutePath), let text = String(data: data, encoding: .utf8)
                else { throw UsageError("cannot read the input file \(absolutePath) as UTF-8 text", command: "schedules add") }
                let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
                params["input"] = (try? JSONValue(parsing: trimmed)) ?? .string(trimmed)
            case let .batchFile(path):
                params["input_file"] = .string(Command.absolute(path, in: workingDirectory))
            }
            return .object(params)
        }
    }
}

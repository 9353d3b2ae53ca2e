import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// Carries out `skillctl schedules ...` and prints the result.
enum ScheduleClient {
    /// Runs `command` against the daemon at `socketPath` and returns skillctl's exit status.
    static func run(_ command: ScheduleCommand, socketPath: String, json: Bool, workingDirectory: String) async -> ExitCode {
        let call: DaemonCall
        do {
            call = try self.call(command, workingDirectory: workingDirectory)
        } catch {
            Console.error(error.description)
            return .usage
        }
        do {
            let client = try JSONRPCClient(socketPath: socketPath)
            defer { client.close() }
            Console.output(try await call.perform(on: client, json: json))
            return .success
        } catch {
            return Console.report(error, json: json)
        }
    }

    /// The call `command` makes, and how its answer is shown.
    private static func call(_ command: ScheduleCommand, workingDirectory: String) throws(UsageError) -> DaemonCall {
        switch command {
        case .list:
            return DaemonCall(ListSchedulesRequest(), render: ScheduleOutput.renderList)
        case let .show(id):
            return DaemonCall(GetScheduleRequest(scheduleID: id), render: ScheduleOutput.renderSchedule)
        case let .remove(id):
            return DaemonCall(RemoveScheduleRequest(scheduleID: id)) { "schedule \(Formatting.plain($0["schedule_id"])) removed" }
        case let .pause(id):
            return DaemonCall(PauseScheduleRequest(scheduleID: id), render: ScheduleOutput.renderSchedule)
        case let .resume(id):
            return DaemonCall(ResumeScheduleRequest(scheduleID: id), render: ScheduleOutput.renderSchedule)
        case let .trigger(id):
            return DaemonCall(TriggerScheduleRequest(scheduleID: id)) { ScheduleOutput.renderFire($0.fire) }
        case let .add(add):
            var request = AddScheduleRequest(
                skill: add.skill, cron: add.cron, timezone: add.timeZone, concurrency: add.concurrency,
                catchUp: add.catchUp, parallelism: add.parallelism)
            switch add.input {
            case .none:
                break
            case let .argument(text):
                request.input = (try? JSONValue(parsing: text)) ?? .string(text)
            case let .file(path):
                let absolutePath = Command.absolute(path, in: workingDirectory)
                guard let data = FileManager.default.contents(atPath: absolutePath), let text = String(data: data, encoding: .utf8)
                else { throw UsageError("cannot read the input file \(absolutePath) as UTF-8 text", command: "schedules add") }
                let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
                request.input = (try? JSONValue(parsing: trimmed)) ?? .string(trimmed)
            case let .batchFile(path):
                request.inputFile = Command.absolute(path, in: workingDirectory)
            }
            return DaemonCall(request, render: ScheduleOutput.renderSchedule)
        }
    }
}

import Foundation
import JSON
import JSONRPC
import Registry
import Scheduling
import SkillDaemon

/// The `schedules.*` methods of docs/PROTOCOL.md.
struct ScheduleMethods: Sendable {
    /// How many of its latest fires `schedules.get` returns.
    static let firesShown = 20

    let registry: Registry
    let runs: RunService
    let scheduler: Scheduler

    /// Handles `call` when it is a `schedules.*` method; `nil` for any other method.
    func handle(_ call: JSONRPCCall) async throws -> JSONValue? {
        let params = JSONRPCParams(call.params)
        switch call.method {
        case "schedules.add": return try await add(params, peer: call.peer)
        case "schedules.list":
            return .object(["schedules": .array(try registry.schedules().map { ScheduleEncoding.json($0) })])
        case "schedules.get":
            let id = try params.required("schedule_id", as: Int64.self)
            guard let schedule = try registry.schedule(id: id), let fires = try registry.scheduleFires(id: id, limit: Self.firesShown)
            else { throw Self.serviceError(.notFound(id: id)) }
            return ScheduleEncoding.json(schedule, fires: fires)
        case "schedules.remove":
            return try await change(params) { scheduler, id throws(ScheduleFailure) in try await scheduler.remove(id: id) }
        case "schedules.pause":
            return try await change(params) { scheduler, id throws(ScheduleFailure) in try await scheduler.pause(id: id) }
        case "schedules.resume":
            return try await change(params) { scheduler, id throws(ScheduleFailure) in try await scheduler.resume(id: id) }
        case "schedules.trigger":
            let id = try params.required("schedule_id", as: Int64.self)
            do {
                let fire = try await scheduler.trigger(id: id)
                return .object(["schedule_id": .int(id), "fire": ScheduleEncoding.json(fire)])
            } catch {
                throw Self.serviceError(error)
            }
        default: return nil
        }
    }

    private func add(_ params: JSONRPCParams, peer: PeerCredentials) async throws -> JSONValue {
        try params.allowOnly(["skill", "cron", "timezone", "input", "input_file", "concurrency", "catch_up", "parallelism"])
        let skill = try params.required("skill", as: String.self)
        _ = try runs.resolveSkill(skill)
        let cronText = try params.required("cron", as: String.self)
        let expression: CronExpression
        do {
            expression = try CronExpression(cronText)
        } catch {
            throw ServiceError.invalidParams("cron: \(error) (in \"\(cronText)\")")
        }
        let zoneName = try params.optional("timezone", as: String.self) ?? TimeZone.current.identifier
        let zone: TimeZone
        do {
            zone = try CronTimeZone.named(zoneName)
        } catch {
            throw ServiceError.invalidParams("timezone: \(error)")
        }
        let input: ScheduleInput
        switch (try params.optional("input", as: JSONValue.self), try params.optional("input_file", as: String.self)) {
        case (_?, _?):
            throw ServiceError.invalidParams("give input or input_file, not both")
        case let (nil, path?):
            guard path.hasPrefix("/") else {
                throw ServiceError.invalidParams("input_file must be an absolute path, not \"\(path)\": it is read at every fire")
            }
            // Read once now, so that a file that cannot be used is refused at once.
            _ = try BatchInputFile.items(path: path, uid: peer.uid, gid: peer.gid)
            input = .file(path: path)
        case let (value, nil):
            input = .fixed((value ?? .object([:])).serialized())
        }
        let parallelism = try params.optional("parallelism", as: Int.self) ?? 1
        guard (1...64).contains(parallelism) else {
            throw ServiceError.invalidParams("parallelism must be 1 to 64, not \(parallelism)")
        }
        let concurrency = try choice(params, "concurrency", default: ScheduleConcurrency.allow)
        let catchUp = try choice(params, "catch_up", default: ScheduleCatchUp.skip)
        let schedule = NewSchedule(
            skill: skill, cron: cronText, timeZone: zoneName, input: input, parallelism: parallelism,
            concurrency: concurrency, catchUp: catchUp, callerUID: peer.uid, callerGID: peer.gid,
            createdAt: Date(), nextFireAt: nil)
        do {
            return ScheduleEncoding.json(try await scheduler.add(schedule, expression: expression, timeZone: zone))
        } catch {
            throw Self.serviceError(error)
        }
    }

    /// Applies `operation` to the schedule named by `schedule_id` and returns it as now stored.
    private func change(
        _ params: JSONRPCParams, _ operation: (Scheduler, Int64) async throws(ScheduleFailure) -> ScheduleRecord
    ) async throws -> JSONValue {
        let id = try params.required("schedule_id", as: Int64.self)
        do {
            return ScheduleEncoding.json(try await operation(scheduler, id))
        } catch {
            throw Self.serviceError(error)
        }
    }

    /// The param `name`, one of `Choice`'s raw values, or `defaultValue` when absent.
    private func choice<Choice: RawRepresentable & CaseIterable>(
        _ params: JSONRPCParams, _ name: String, default defaultValue: Choice
    ) throws -> Choice where Choice.RawValue == String {
        guard let text = try params.optional(name, as: String.self) else { return defaultValue }
        guard let value = Choice(rawValue: text) else {
            let names = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ServiceError.invalidParams("\(name) must be one of \(names), not \"\(text)\"")
        }
        return value
    }

    private static func serviceError(_ failure: ScheduleFailure) -> ServiceError {
        switch failure {
        case .notFound: .domain(.notFound, failure.description)
        case .registry: .internal(failure.description)
        }
    }
}

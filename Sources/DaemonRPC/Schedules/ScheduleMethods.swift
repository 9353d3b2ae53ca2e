import Foundation
import JSON
import JSONRPC
import Registry
import Scheduling
import SkillDaemon
import SkillhostProtocol

/// The `schedules.*` methods of docs/PROTOCOL.md.
struct ScheduleMethods: Sendable {
    /// How many of its latest fires `schedules.get` returns.
    static let firesShown = 20

    let registry: Registry
    let runs: RunService
    let scheduler: Scheduler

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(AddScheduleRequest.self) { request, call in try await add(request, call: call) }
        handlers.register(ListSchedulesRequest.self) { _, _ in
            ScheduleList(schedules: try registry.schedules().map { ScheduleEncoding.json($0) })
        }
        handlers.register(GetScheduleRequest.self) { request, _ in
            let id = request.scheduleID
            guard let schedule = try registry.schedule(id: id), let fires = try registry.scheduleFires(id: id, limit: Self.firesShown)
            else { throw Self.serviceError(.notFound(id: id)) }
            return ScheduleEncoding.json(schedule, fires: fires)
        }
        handlers.register(RemoveScheduleRequest.self) { request, _ in
            try await change(request.scheduleID) { scheduler, id throws(ScheduleFailure) in try await scheduler.remove(id: id) }
        }
        handlers.register(PauseScheduleRequest.self) { request, _ in
            try await change(request.scheduleID) { scheduler, id throws(ScheduleFailure) in try await scheduler.pause(id: id) }
        }
        handlers.register(ResumeScheduleRequest.self) { request, _ in
            try await change(request.scheduleID) { scheduler, id throws(ScheduleFailure) in try await scheduler.resume(id: id) }
        }
        handlers.register(TriggerScheduleRequest.self) { request, _ in
            do throws(ScheduleFailure) {
                let fire = try await scheduler.trigger(id: request.scheduleID)
                return TriggeredFire(scheduleID: request.scheduleID, fire: ScheduleEncoding.json(fire))
            } catch {
                throw Self.serviceError(error)
            }
        }
    }

    private func add(_ request: AddScheduleRequest, call: JSONRPCCall) async throws -> JSONValue {
        let skill = request.skill
        _ = try runs.resolveSkill(skill)
        let cronText = request.cron
        let expression: CronExpression
        do {
            expression = try CronExpression(cronText)
        } catch {
            throw ServiceError.invalidParams("cron: \(error) (in \"\(cronText)\")")
        }
        let zoneName = request.timezone ?? TimeZone.current.identifier
        let zone: TimeZone
        do {
            zone = try CronTimeZone.named(zoneName)
        } catch {
            throw ServiceError.invalidParams("timezone: \(error)")
        }
        let input: ScheduleInput
        switch (request.input, request.inputFile) {
        case (_?, _?):
            throw ServiceError.invalidParams("give input or input_file, not both")
        case let (nil, path?):
            guard path.hasPrefix("/") else {
                throw ServiceError.invalidParams("input_file must be an absolute path, not \"\(path)\": it is read at every fire")
            }
            // Read once now, so that a file that cannot be used is refused at once.
            let peer = try call.localUser(because: "reads input_file as the calling user at every fire")
            _ = try BatchInputFile.items(path: path, uid: peer.uid, gid: peer.gid)
            input = .file(path: path)
        case let (value, nil):
            input = .fixed((value ?? .object([:])).serialized())
        }
        let parallelism = try ParameterCheck.value(request.parallelism, named: "parallelism", default: 1, in: 1...64)
        let concurrency = try ParameterCheck.choice(request.concurrency, named: "concurrency", as: ScheduleConcurrency.self)
            ?? .allow
        let catchUp = try ParameterCheck.choice(request.catchUp, named: "catch_up", as: ScheduleCatchUp.self) ?? .skip
        let schedule = NewSchedule(
            skill: skill, cron: cronText, timeZone: zoneName, input: input, parallelism: parallelism,
            concurrency: concurrency, catchUp: catchUp, callerUID: call.caller.process?.uid, callerGID: call.caller.process?.gid,
            callerToken: call.caller.credentialName, callerTokenID: call.caller.credentialID,
            createdAt: Date(), nextFireAt: nil)
        do {
            return ScheduleEncoding.json(try await scheduler.add(schedule, expression: expression, timeZone: zone))
        } catch {
            throw Self.serviceError(error)
        }
    }

    /// Applies `operation` to the schedule `id` and returns it as now stored.
    private func change(
        _ id: Int64, _ operation: (Scheduler, Int64) async throws(ScheduleFailure) -> ScheduleRecord
    ) async throws(ServiceError) -> JSONValue {
        do {
            return ScheduleEncoding.json(try await operation(scheduler, id))
        } catch {
            throw Self.serviceError(error)
        }
    }

    private static func serviceError(_ failure: ScheduleFailure) -> ServiceError {
        switch failure {
        case .notFound: ServiceError(.notFound, failure.description)
        case .registry: .internal(failure.description)
        }
    }
}

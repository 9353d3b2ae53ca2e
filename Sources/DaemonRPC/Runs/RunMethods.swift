import Foundation
import JSON
import JSONRPC
import Registry
import SkillDaemon
import SkillhostModel
import SkillhostProtocol

/// `skills.run` and the `runs.*` methods of docs/PROTOCOL.md.
struct RunMethods: Sendable {
    let registry: Registry
    let runs: RunService

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(RunSkillRequest.self) { request, call in try await run(request, call: call) }
        handlers.register(StartRunRequest.self) { request, call in try await start(request, call: call) }
        handlers.register(WaitRunRequest.self) { request, _ in try await wait(request) }
        handlers.register(CancelRunRequest.self) { request, _ in try await cancel(request) }
        handlers.register(AttachRunRequest.self) { request, call in try await attach(request, call: call) }
        handlers.register(GetRunRequest.self) { request, _ in RecordEncoding.json(try run(id: request.runID)) }
        handlers.register(ListRunsRequest.self) { request, _ in try list(request) }
        handlers.register(RunLogsRequest.self) { request, _ in try logs(request) }
        handlers.register(ActiveRunsRequest.self) { _, _ in active() }
        handlers.register(RunsPerMinuteRequest.self) { request, _ in try perMinute(request) }
        handlers.register(ReplayRunRequest.self) { request, call in try await replay(request, call: call) }
    }

    /// What a client asks to run: `skills.run`'s and `runs.start`'s params, in its name.
    private static func runRequest(skill: String, input: JSONValue?, model: String?, timeoutMilliseconds: Int64?,
                                   call: JSONRPCCall) throws(ServiceError) -> RunRequest {
        RunRequest(
            skill: skill, input: input ?? .object([:]), model: model, timeout: try timeout(timeoutMilliseconds),
            trigger: "rpc", callerUID: call.caller.process?.uid, callerPID: call.caller.process?.pid,
            callerToken: call.caller.credentialName, callerTokenID: call.caller.credentialID)
    }

    private func start(_ request: StartRunRequest, call: JSONRPCCall) async throws -> StartedRun {
        let record = try await runs.start(Self.runRequest(
            skill: request.skill, input: request.input, model: request.model,
            timeoutMilliseconds: request.timeoutMilliseconds, call: call))
        return StartedRun(runID: record.id, status: record.status.rawValue)
    }

    /// The run's final record, or, when `timeout_ms` passes first, its record as it is then.
    private func wait(_ request: WaitRunRequest) async throws -> JSONValue {
        let timeout = try request.timeoutMilliseconds.map { (milliseconds) throws(ServiceError) -> Duration in
            guard milliseconds >= 0 else { throw ServiceError.invalidParams("timeout_ms must be at least 0, not \(milliseconds)") }
            return .milliseconds(milliseconds)
        }
        if let journal = runs.journal(of: request.runID) {
            let ended = await withTaskGroup(of: RunRecord?.self) { group in
                group.addTask { await journal.end() }
                if let timeout {
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        return nil
                    }
                }
                defer { group.cancelAll() }
                return await group.next() ?? nil
            }
            if let ended { return RecordEncoding.json(ended) }
        }
        return RecordEncoding.json(try run(id: request.runID))
    }

    /// Cancels a run in flight and answers its final record, and whether this cancel ended
    /// it: not when it had ended already, or ended otherwise before the cancel reached it.
    private func cancel(_ request: CancelRunRequest) async throws -> CancelledRun {
        guard let journal = runs.journal(of: request.runID) else {
            return CancelledRun(cancelled: false, run: RecordEncoding.json(try run(id: request.runID)))
        }
        journal.cancel()
        let record = try await journal.end() ?? run(id: request.runID)
        return CancelledRun(cancelled: record.status == .cancelled, run: RecordEncoding.json(record))
    }

    /// Sends the run's events from its beginning on this connection, then answers its final
    /// record without its input and output (the output came as notifications): live from its
    /// journal while it runs, from the registry once it has ended.
    private func attach(_ request: AttachRunRequest, call: JSONRPCCall) async throws -> JSONValue {
        let stream = RunStream(connection: call.connection, runID: request.runID)
        if let journal = runs.journal(of: request.runID) {
            switch journal.follow({ stream.send($0) }) {
            case let .following(follower):
                let ended = await journal.end()
                journal.unfollow(follower)
                let record = try ended ?? run(id: request.runID)
                stream.finish(record)
                return RecordEncoding.json(record, includePayloads: false)
            case .ended:
                break
            }
        }
        let record = try run(id: request.runID)
        for line in try registry.logs(runID: record.id) ?? [] {
            call.connection.notify(RunLogNotification(runID: record.id, level: line.level.rawValue, message: line.message))
        }
        stream.finish(record)
        return RecordEncoding.json(record, includePayloads: false)
    }

    private func run(_ request: RunSkillRequest, call: JSONRPCCall) async throws -> RunResult {
        var run = try Self.runRequest(
            skill: request.skill, input: request.input, model: request.model,
            timeoutMilliseconds: request.timeoutMilliseconds, call: call)
        var stream: RunStream?
        if request.stream == true {
            let runStream = RunStream(connection: call.connection)
            run.onRecorded = { runStream.recorded($0) }
            run.events = { runStream.send($0) }
            stream = runStream
        }
        let record = try await runs.run(run)
        stream?.finish(record)
        guard record.status == .succeeded else {
            let kind = record.errorKind ?? .skillFailed
            throw ServiceError(
                kind, record.errorMessage ?? "run \(record.id) \(record.status.rawValue)",
                extra: ["run_id": .int(record.id), "status": .string(record.status.rawValue)])
        }
        let output = record.output.map(PayloadKind.value(of:))
        return RunResult(
            runID: record.id, status: record.status.rawValue, output: output?.value ?? .null, outputKind: output?.kind,
            usage: RecordEncoding.usage(record.usage), durationMilliseconds: record.duration?.milliseconds)
    }

    /// Runs the input of a recorded run again, as the caller, and answers the new run's
    /// record whatever its status: a replay that fails is what its caller came to see.
    private func replay(_ request: ReplayRunRequest, call: JSONRPCCall) async throws -> JSONValue {
        let original = try run(id: request.runID)
        let replay = RunRequest(
            skill: "\(original.skillName)@\(request.version ?? original.skillVersion)",
            input: RecordEncoding.payload(original.input), model: request.model ?? original.model,
            timeout: try Self.timeout(request.timeoutMilliseconds), trigger: "replay",
            callerUID: call.caller.process?.uid, callerPID: call.caller.process?.pid,
            callerToken: call.caller.credentialName, callerTokenID: call.caller.credentialID, replayOf: original.id)
        return RecordEncoding.json(try await runs.run(replay))
    }

    /// A `timeout_ms` param as a deadline; nil: the daemon's.
    private static func timeout(_ milliseconds: Int64?) throws(ServiceError) -> Duration? {
        guard let milliseconds else { return nil }
        guard milliseconds > 0 else { throw ServiceError.invalidParams("timeout_ms must be at least 1, not \(milliseconds)") }
        return .milliseconds(milliseconds)
    }

    private func run(id: Int64) throws -> RunRecord {
        guard let record = try registry.run(id: id) else { throw Self.notFound(id) }
        return record
    }

    private func logs(_ request: RunLogsRequest) throws -> RunLogs {
        guard let lines = try registry.logs(runID: request.runID) else { throw Self.notFound(request.runID) }
        return RunLogs(
            runID: request.runID, logs: lines.map { RunLogs.Line(level: $0.level.rawValue, message: $0.message) })
    }

    private func list(_ request: ListRunsRequest) throws -> RunList {
        let limit = try ParameterCheck.value(request.limit, named: "limit", default: 50, in: 1...1000)
        let status = try ParameterCheck.choice(request.status, named: "status", as: RunStatus.self)
        let skill = request.skill.map(RunService.split)
        let query = RunQuery(skillName: skill?.name, skillVersion: skill?.version, status: status, limit: Int(limit),
                             before: request.before)
        return RunList(runs: try registry.runs(matching: query).map { RecordEncoding.json($0, includePayloads: false) })
    }

    private func active() -> ActiveRuns {
        let now = Date()
        return ActiveRuns(runs: runs.runsInProgress.map { run in
            ActiveRuns.Run(
                runID: run.runID, skill: run.skill, version: run.version, model: run.model, trigger: run.trigger,
                startedAt: run.startedAt.iso8601, elapsedMilliseconds: max(0, now.timeIntervalSince(run.startedAt) * 1000),
                callerUID: run.callerUID, callerPID: run.callerPID, callerToken: run.callerToken, batchID: run.batchID, scheduleID: run.scheduleID)
        })
    }

    private func perMinute(_ request: RunsPerMinuteRequest) throws -> RunsPerMinute {
        let minutes = try ParameterCheck.value(request.minutes, named: "minutes", default: 60, in: 1...1440)
        let now = Date()
        let counts = try registry.runsPerMinute(minutes: Int(minutes), endingAt: now)
        return RunsPerMinute(until: now.iso8601, counts: counts.map(Int64.init))
    }

    private static func notFound(_ id: Int64) -> ServiceError {
        ServiceError(.notFound, "no run \(id): see `skillctl runs` for recent runs")
    }
}

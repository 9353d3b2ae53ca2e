import Foundation
import InferenceDriver
import JSON
import JSONRPC
import Logging
import Registry
import SkillDaemon
import SkillRuntime
import SkillhostModel

/// The methods of docs/PROTOCOL.md: the JSON-RPC face of the registry and the run service.
public final class SkillHostService: JSONRPCMethodHandler {
    /// The version of skillhost reported by `host.status`.
    public static let version = "0.1.0"

    private let registry: Registry
    private let runs: RunService
    private let runner: IsolatingRunner
    private let installer: SkillInstaller
    private let configuration: DaemonConfiguration
    private let batchMethods: BatchMethods
    private let scheduleMethods: ScheduleMethods
    private let inferenceMethods: InferenceMethods
    private let inference: InferenceRouter
    private let startedAt = ContinuousClock.now

    /// Creates the service; `batches` runs the batches that `batches.start` records,
    /// `scheduler` fires the schedules that `schedules.add` records, and `inference` routes
    /// the runs' inference calls, its endpoints shown and changed by `inference.*`, which
    /// read API keys from `environment` (the daemon's as it started).
    public init(registry: Registry, runs: RunService, runner: IsolatingRunner, batches: BatchRunner, scheduler: Scheduler,
                inference: InferenceRouter, environment: [String: String], configuration: DaemonConfiguration,
                logger: Logger) {
        self.registry = registry
        self.batchMethods = BatchMethods(registry: registry, runs: runs, batches: batches, configuration: configuration)
        self.scheduleMethods = ScheduleMethods(registry: registry, runs: runs, scheduler: scheduler)
        self.inferenceMethods = InferenceMethods(
            router: inference, configuration: configuration, environment: environment, logger: logger)
        self.inference = inference
        self.runs = runs
        self.runner = runner
        let process = runner.process
        self.installer = SkillInstaller(registry: registry, inspector: { path in await process.inspect(path: path) })
        self.configuration = configuration
    }

    public func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
        do {
            let params = JSONRPCParams(call.params)
            switch call.method {
            case "host.status": return try status()
            case "skills.install": return try await install(params, peer: call.peer)
            case "skills.list": return try listSkills()
            case "skills.get": return try getSkill(params)
            case "skills.remove": return try removeSkills(params)
            case "skills.set_isolation": return try setIsolation(params)
            case "skills.set_limits": return try setLimits(params)
            case "skills.exists": return try skillExists(params)
            case "skills.run": return try await run(params, peer: call.peer, connection: call.connection)
            case "runs.get": return try getRun(params)
            case "runs.list": return try listRuns(params)
            case "runs.logs": return try runLogs(params)
            default:
                if let result = try inferenceMethods.handle(call) { return result }
                if let result = try await batchMethods.handle(call) { return result }
                guard let result = try await scheduleMethods.handle(call) else { throw JSONRPCError.methodNotFound(call.method) }
                return result
            }
        } catch let error as ServiceError {
            throw error.rpcError
        } catch let error as JSONRPCError {
            throw error
        } catch {
            throw .internalError("\(call.method) failed: \(error)")
        }
    }

    // MARK: host

    private func status() throws(ServiceError) -> JSONValue {
        let skillCount: Int
        let runCounts: (total: Int, unfinished: Int)
        do {
            skillCount = try registry.skills().count
            runCounts = try registry.runCounts()
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
        return .object([
            "version": .string(Self.version),
            "abi": .string("\(SkillLoader.abiMajor).\(SkillLoader.abiMinor)"),
            "pid": .int(Int64(getpid())),
            "uptime_ms": .double((ContinuousClock.now - startedAt).milliseconds),
            "socket": .string(configuration.socketPath),
            "data_dir": .string(configuration.dataDirectory),
            "skills": .int(Int64(skillCount)),
            "runs": .object(["total": .int(Int64(runCounts.total)), "running": .int(Int64(runs.activeRuns))]),
            "inference": InferenceEncoding.status(of: inference),
        ])
    }

    // MARK: skills

    private func install(_ params: JSONRPCParams, peer: PeerCredentials) async throws -> JSONValue {
        let requestedIsolation = try isolation(params, required: false)
        let requestedLimit = try memoryLimit(params, required: false)
        var result = try await installer.install(
            path: try params.required("path", as: String.self),
            expectedSHA256: try params.optional("sha256", as: String.self),
            force: try params.optional("force", as: Bool.self) ?? false,
            isolation: requestedIsolation ?? configuration.defaultIsolation,
            memoryLimitBytes: requestedLimit ?? nil,
            callerUID: peer.uid, callerGID: peer.gid)
        if let replaced = result.replacedSHA256 {
            runner.evict(sha256: replaced)
        }
        // Installing the same file again with an explicit isolation changes only that.
        if let requestedIsolation, result.skill.isolation != requestedIsolation {
            result.skill = try registry.updateIsolation(
                name: result.skill.name, version: result.skill.version, to: requestedIsolation).first ?? result.skill
        }
        // So does an explicit memory_limit_bytes (null: back to the default).
        if let requestedLimit, result.skill.memoryLimitBytes != requestedLimit {
            result.skill = try registry.updateMemoryLimit(
                name: result.skill.name, version: result.skill.version, to: requestedLimit).first ?? result.skill
        }
        try prewarm([result.skill])
        return .object(["outcome": .string(result.outcome.rawValue), "skill": RecordEncoding.json(result.skill)])
    }

    /// Starts the workers of `skills` that run in a worker, in the background.
    private func prewarm(_ skills: [SkillRecord]) throws {
        for skill in skills where skill.isolation == .process {
            runner.prewarm(skill, path: try registry.storedFilePath(sha256: skill.sha256))
        }
    }

    private func listSkills() throws(ServiceError) -> JSONValue {
        do {
            return .object(["skills": .array(try registry.skills().map(RecordEncoding.json))])
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
    }

    private func getSkill(_ params: JSONRPCParams) throws -> JSONValue {
        RecordEncoding.json(try runs.resolveSkill(try params.required("name", as: String.self)))
    }

    private func removeSkills(_ params: JSONRPCParams) throws -> JSONValue {
        let name = try params.required("name", as: String.self)
        let version = try params.optional("version", as: String.self)
        let removed = try registry.removeSkills(named: name, version: version)
        guard !removed.isEmpty else {
            let which = version.map { "\(name)@\($0)" } ?? name
            throw ServiceError.domain(.notFound, "no skill \(which) is installed: see `skillctl list`")
        }
        for skill in removed {
            runner.evict(sha256: skill.sha256)
        }
        return .object(["removed": .array(removed.map(RecordEncoding.json))])
    }

    private func setIsolation(_ params: JSONRPCParams) throws -> JSONValue {
        let name = try params.required("name", as: String.self)
        let version = try params.optional("version", as: String.self)
        guard let mode = try isolation(params, required: true) else { throw ServiceError.invalidParams("isolation is required") }
        let changed = try registry.updateIsolation(name: name, version: version, to: mode)
        guard !changed.isEmpty else {
            let which = version.map { "\(name)@\($0)" } ?? name
            throw ServiceError.domain(.notFound, "no skill \(which) is installed: see `skillctl list`")
        }
        if mode == .inprocess {
            // Its workers have nothing left to do.
            for skill in changed { runner.process.evict(sha256: skill.sha256) }
        } else {
            try prewarm(changed)
        }
        return .object(["skills": .array(changed.map(RecordEncoding.json))])
    }

    private func setLimits(_ params: JSONRPCParams) throws -> JSONValue {
        let name = try params.required("name", as: String.self)
        let version = try params.optional("version", as: String.self)
        // Present (checked by `required`); nil inside: back to the daemon's default.
        let limit = try memoryLimit(params, required: true) ?? nil
        let changed = try registry.updateMemoryLimit(name: name, version: version, to: limit)
        guard !changed.isEmpty else {
            let which = version.map { "\(name)@\($0)" } ?? name
            throw ServiceError.domain(.notFound, "no skill \(which) is installed: see `skillctl list`")
        }
        // Workers started under the old limit are not reused; start ones under the new.
        for skill in changed { runner.process.evict(sha256: skill.sha256) }
        try prewarm(changed)
        return .object(["skills": .array(changed.map(RecordEncoding.json))])
    }

    /// The `memory_limit_bytes` param: nil when absent; `.some(nil)` when null (the daemon's
    /// default); else 0 (no limit) or at least 64 MiB.
    private func memoryLimit(_ params: JSONRPCParams, required: Bool) throws -> Int64?? {
        guard case let .object(members)? = params.value, members["memory_limit_bytes"] != nil else {
            if required { throw ServiceError.invalidParams("memory_limit_bytes is required (a number of bytes, 0 for none, or null for the default)") }
            return nil
        }
        guard let limit = try params.optional("memory_limit_bytes", as: Int64.self) else { return .some(nil) }
        guard limit == 0 || limit >= 64 << 20 else {
            throw ServiceError.invalidParams("memory_limit_bytes must be 0 (no limit), at least 67108864 (64 MiB), or null (the daemon's default), not \(limit)")
        }
        return .some(limit)
    }

    /// The `isolation` param: `process` or `inprocess`.
    private func isolation(_ params: JSONRPCParams, required: Bool) throws -> IsolationMode? {
        let name = required
            ? try params.required("isolation", as: String.self)
            : try params.optional("isolation", as: String.self)
        guard let name else { return nil }
        guard let mode = IsolationMode(rawValue: name) else {
            throw ServiceError.invalidParams("isolation must be process or inprocess, not \"\(name)\"")
        }
        return mode
    }

    private func skillExists(_ params: JSONRPCParams) throws -> JSONValue {
        let sha256 = try params.required("sha256", as: String.self).lowercased()
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
            throw ServiceError.invalidParams("sha256 must be 64 hexadecimal digits, not \"\(sha256)\"")
        }
        let skills = try registry.skills(withSHA256: sha256)
        return .object([
            "exists": .bool(!skills.isEmpty),
            "skills": .array(skills.map { .object(["name": .string($0.name), "version": .string($0.version)]) }),
        ])
    }

    // MARK: runs

    private func run(_ params: JSONRPCParams, peer: PeerCredentials, connection: JSONRPCConnectionHandle) async throws -> JSONValue {
        try params.allowOnly(["skill", "input", "model", "timeout_ms", "stream"])
        var timeout: Duration?
        if let milliseconds = try params.optional("timeout_ms", as: Int64.self) {
            guard milliseconds > 0 else { throw ServiceError.invalidParams("timeout_ms must be at least 1, not \(milliseconds)") }
            timeout = .milliseconds(milliseconds)
        }
        var request = RunRequest(
            skill: try params.required("skill", as: String.self),
            input: try params.optional("input", as: JSONValue.self) ?? .object([:]),
            model: try params.optional("model", as: String.self),
            timeout: timeout, trigger: "rpc", callerUID: peer.uid)
        var stream: RunStream?
        if try params.optional("stream", as: Bool.self) == true {
            let runStream = RunStream(connection: connection)
            request.onRecorded = { runStream.recorded($0) }
            request.events = { runStream.send($0) }
            stream = runStream
        }
        let record = try await runs.run(request)
        stream?.finish(record)
        guard record.status == .succeeded else {
            let kind = record.errorKind.flatMap(ErrorKind.init(rawValue:)) ?? .skillFailed
            throw ServiceError.domain(
                kind, record.errorMessage ?? "run \(record.id) \(record.status.rawValue)",
                extra: ["run_id": .int(record.id), "status": .string(record.status.rawValue)])
        }
        return .object([
            "run_id": .int(record.id),
            "status": .string(record.status.rawValue),
            "output": record.output.map(RecordEncoding.payload) ?? .null,
            "usage": RecordEncoding.usage(record.usage),
            "duration_ms": record.duration.map { .double($0.milliseconds) } ?? .null,
        ])
    }

    private func getRun(_ params: JSONRPCParams) throws -> JSONValue {
        let id = try params.required("run_id", as: Int64.self)
        guard let record = try registry.run(id: id) else {
            throw ServiceError.domain(.notFound, "no run \(id): see `skillctl runs` for recent runs")
        }
        return RecordEncoding.json(record)
    }

    private func runLogs(_ params: JSONRPCParams) throws -> JSONValue {
        let id = try params.required("run_id", as: Int64.self)
        guard let lines = try registry.logs(runID: id) else {
            throw ServiceError.domain(.notFound, "no run \(id): see `skillctl runs` for recent runs")
        }
        return .object([
            "run_id": .int(id),
            "logs": .array(lines.map { .object(["level": .string($0.level.rawValue), "message": .string($0.message)]) }),
        ])
    }

    private func listRuns(_ params: JSONRPCParams) throws -> JSONValue {
        let limit = try params.optional("limit", as: Int64.self) ?? 50
        guard (1...1000).contains(limit) else { throw ServiceError.invalidParams("limit must be 1 to 1000, not \(limit)") }
        var status: RunStatus?
        if let name = try params.optional("status", as: String.self) {
            guard let known = RunStatus(rawValue: name) else {
                throw ServiceError.invalidParams(
                    "status must be one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
            }
            status = known
        }
        let query = RunQuery(
            skillName: try params.optional("skill", as: String.self), status: status, limit: Int(limit),
            before: try params.optional("before", as: Int64.self))
        return .object(["runs": .array(try registry.runs(matching: query).map { RecordEncoding.json($0, includePayloads: false) })])
    }
}

import Foundation
import JSONRPC
import Registry
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol

/// The `skills.*` methods of docs/PROTOCOL.md but `skills.run`: installing, listing,
/// changing, removing and watching skills.
struct SkillMethods: Sendable {
    let registry: Registry
    let runs: RunService
    let runner: IsolatingRunner
    let configuration: LiveConfiguration
    let installer: SkillInstaller
    /// The connections told of installs and removals.
    let watchers = SkillWatchers()

    init(registry: Registry, runs: RunService, runner: IsolatingRunner, configuration: LiveConfiguration) {
        self.registry = registry
        self.runs = runs
        self.runner = runner
        self.configuration = configuration
        let process = runner.process
        installer = SkillInstaller(registry: registry, inspector: { path in await process.inspect(path: path) })
    }

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(InstallSkillRequest.self) { request, call in
            try await install(request, peer: try call.localUser(because: "reads the file at path as the calling user"))
        }
        handlers.register(ListSkillsRequest.self) { _, _ in try listSkills() }
        handlers.register(GetSkillRequest.self) { request, _ in
            let skill = try runs.resolveSkill(request.name)
            return RecordEncoding.json(skill, activity: runs.activity.counters(SkillActivity.Key(skill)))
        }
        handlers.register(RemoveSkillRequest.self) { request, _ in try remove(request) }
        handlers.register(SetIsolationRequest.self) { request, call in
            _ = try call.localUser(because: "can take a skill out of its sandbox on this machine")
            return try setIsolation(request)
        }
        handlers.register(SetLimitsRequest.self) { request, _ in try setLimits(request) }
        handlers.register(GrantSkillRequest.self) { request, call in
            _ = try call.localUser(because: "changes what a skill may reach on this machine (its files, the network)")
            return try grant(request)
        }
        handlers.register(SkillExistsRequest.self) { request, _ in try exists(request) }
        handlers.register(WatchSkillsRequest.self) { _, call in try watch(from: call.connection) }
    }

    private func install(_ request: InstallSkillRequest, peer: PeerCredentials) async throws -> InstalledSkill {
        let requestedIsolation = try ParameterCheck.choice(request.isolation, named: "isolation", as: IsolationMode.self)
        let requestedLimit = try request.memoryLimitBytes.map(Self.memoryLimit)
        let requestedGrants = try GrantChange(request.grants, dataDirectory: configuration.current.dataDirectory)
        var result = try await installer.install(
            path: request.path, expectedSHA256: request.sha256, force: request.force ?? false,
            isolation: requestedIsolation ?? configuration.current.defaultIsolation,
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
        // And explicit grants: those given change, the rest stay.
        let granted = requestedGrants.applied(to: result.skill.grants)
        if granted != result.skill.grants {
            result.skill = try registry.updateGrants(
                name: result.skill.name, version: result.skill.version, to: granted).first ?? result.skill
            runner.process.evict(sha256: result.skill.sha256)
        }
        try prewarm([result.skill])
        switch result.outcome {
        case .installed: watchers.announce(.installed, result.skill)
        case .replaced: watchers.announce(.replaced, result.skill)
        case .unchanged: break
        }
        return InstalledSkill(outcome: result.outcome.rawValue, skill: RecordEncoding.json(result.skill))
    }

    /// Starts the workers of `skills` that run in a worker, in the background.
    private func prewarm(_ skills: [SkillRecord]) throws {
        for skill in skills where skill.isolation == .process {
            runner.prewarm(skill, path: try registry.storedFilePath(sha256: skill.sha256))
        }
    }

    private func listSkills() throws(ServiceError) -> SkillList {
        do {
            return SkillList(skills: try registry.skills().map(RecordEncoding.json))
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
    }

    /// Subscribes `connection` first, then reads the list: a change made meanwhile is both
    /// in the list and announced, never in neither.
    private func watch(from connection: JSONRPCConnectionHandle) throws(ServiceError) -> SkillList {
        watchers.subscribe(connection)
        return try listSkills()
    }

    private func remove(_ request: RemoveSkillRequest) throws -> RemovedSkills {
        let removed = try registry.removeSkills(named: request.name, version: request.version)
        guard !removed.isEmpty else { throw Self.notInstalled(request.name, version: request.version) }
        for skill in removed {
            runner.evict(sha256: skill.sha256)
            // A skill installed again under this name and version starts enabled.
            runs.activity.open(SkillActivity.Key(skill))
            watchers.announce(.removed, skill)
        }
        return RemovedSkills(removed: removed.map(RecordEncoding.json))
    }

    private func setIsolation(_ request: SetIsolationRequest) throws -> SkillList {
        let mode = try ParameterCheck.choice(request.isolation, named: "isolation", as: IsolationMode.self)
        let changed = try registry.updateIsolation(name: request.name, version: request.version, to: mode)
        guard !changed.isEmpty else { throw Self.notInstalled(request.name, version: request.version) }
        if mode == .inprocess {
            // Its workers have nothing left to do.
            for skill in changed { runner.process.evict(sha256: skill.sha256) }
        } else {
            try prewarm(changed)
        }
        return SkillList(skills: changed.map(RecordEncoding.json))
    }

    private func setLimits(_ request: SetLimitsRequest) throws -> SkillList {
        let limit = try Self.memoryLimit(request.memoryLimitBytes)
        let changed = try registry.updateMemoryLimit(name: request.name, version: request.version, to: limit)
        guard !changed.isEmpty else { throw Self.notInstalled(request.name, version: request.version) }
        // Workers started under the old limit are not reused; start ones under the new.
        for skill in changed { runner.process.evict(sha256: skill.sha256) }
        try prewarm(changed)
        return SkillList(skills: changed.map(RecordEncoding.json))
    }

    private func grant(_ request: GrantSkillRequest) throws -> SkillList {
        let change = try GrantChange(request.grants, dataDirectory: configuration.current.dataDirectory)
        let matching = try registry.skills().filter {
            $0.name == request.name && (request.version == nil || $0.version == request.version)
        }
        guard !matching.isEmpty else { throw Self.notInstalled(request.name, version: request.version) }
        var changed: [SkillRecord] = []
        for skill in matching {
            changed += try registry.updateGrants(
                name: skill.name, version: skill.version, to: change.applied(to: skill.grants))
        }
        // Workers started in the old sandbox are not reused; start ones in the new.
        for skill in changed { runner.process.evict(sha256: skill.sha256) }
        try prewarm(changed)
        return SkillList(skills: changed.map(RecordEncoding.json))
    }

    private func exists(_ request: SkillExistsRequest) throws -> SkillExistence {
        let sha256 = request.sha256.lowercased()
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else {
            throw ServiceError.invalidParams("sha256 must be 64 hexadecimal digits, not \"\(sha256)\"")
        }
        let skills = try registry.skills(withSHA256: sha256)
        return SkillExistence(
            exists: !skills.isEmpty, skills: skills.map { SkillExistence.Identity(name: $0.name, version: $0.version) })
    }

    /// A memory limit as stored: nil for the daemon's default, else 0 (no limit) or at
    /// least ``WorkerMemoryLimit/minimumBytes``.
    private static func memoryLimit(_ parameter: MemoryLimitParameter) throws(ServiceError) -> Int64? {
        guard case let .value(limit) = parameter else { return nil }
        guard WorkerMemoryLimit.isAllowed(limit) else {
            let minimum = WorkerMemoryLimit.minimumBytes
            throw .invalidParams("memory_limit_bytes must be 0 (no limit), at least \(minimum) (\(minimum >> 20) MiB), "
                                 + "or null (the daemon's default), not \(limit)")
        }
        return limit
    }

    private static func notInstalled(_ name: String, version: String?) -> ServiceError {
        let which = version.map { "\(name)@\($0)" } ?? name
        return ServiceError(.notFound, "no skill \(which) is installed: see `skillctl list`")
    }
}

/// The grants a `skills.grant` or `skills.install` call changes, checked: each `nil` member
/// leaves that grant as it is.
struct GrantChange: Sendable {
    var network: NetworkAccess?
    var readOnlyPaths: [String]?
    var processLimit: Int??
    var cpuSecondsPerRun: Int??

    /// Checks `parameters`: a known network, absolute existing paths outside (and not
    /// containing) `dataDirectory`, limits of at least 1.
    init(_ parameters: GrantParameters, dataDirectory: String) throws(ServiceError) {
        network = try ParameterCheck.choice(parameters.network, named: "network", as: NetworkAccess.self)
        if let paths = parameters.readOnlyPaths {
            readOnlyPaths = try paths.map { (path) throws(ServiceError) -> String in
                try Self.readOnlyPath(path, dataDirectory: dataDirectory)
            }
        }
        processLimit = try parameters.processLimit.map { (limit) throws(ServiceError) -> Int? in
            try Self.limit(limit, named: "process_limit")
        }
        cpuSecondsPerRun = try parameters.cpuSecondsPerRun.map { (limit) throws(ServiceError) -> Int? in
            try Self.limit(limit, named: "cpu_seconds_per_run")
        }
    }

    /// `grants` with the given changes made.
    func applied(to grants: SkillGrants) -> SkillGrants {
        var grants = grants
        if let network { grants.network = network }
        if let readOnlyPaths { grants.readOnlyPaths = readOnlyPaths }
        if let processLimit { grants.processLimit = processLimit }
        if let cpuSecondsPerRun { grants.cpuSecondsPerRun = cpuSecondsPerRun }
        return grants
    }

    private static func limit(_ parameter: GrantLimitParameter, named name: String) throws(ServiceError) -> Int? {
        guard case .value(let value) = parameter else { return nil }
        guard value >= 1 else {
            throw .invalidParams("\(name) must be at least 1, or null (the daemon's default), not \(value)")
        }
        return value
    }

    private static func readOnlyPath(_ path: String, dataDirectory: String) throws(ServiceError) -> String {
        guard path.hasPrefix("/") else {
            throw .invalidParams("read_only_paths must hold absolute paths, not \"\(path)\"")
        }
        guard !path.contains("\n") else {
            throw .invalidParams("read_only_paths must not hold a path with a newline: \(path.debugDescription)")
        }
        guard let resolved = realPath(path) else {
            throw .invalidParams("read_only_paths holds \"\(path)\", which does not exist")
        }
        let data = realPath(dataDirectory) ?? dataDirectory
        if resolved == data || isInside(resolved, data) || isInside(data, resolved) {
            throw .invalidParams(
                "read_only_paths holds \"\(path)\", which is, is inside or contains the daemon's data directory \(dataDirectory): the registry cannot be granted")
        }
        return path
    }

    /// Whether `path` lies under `directory`; both are resolved absolute paths.
    private static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" ? path != "/" : path.hasPrefix(directory + "/")
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

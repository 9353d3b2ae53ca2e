import Dispatch
import Foundation
import Glibc
import InferenceDriver
import JSON
import JSONRPC
import Logging
import ProcessIsolation
import Registry
import Scheduling
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol
import SystemCalls

/// skillhostd: opens the registry, records runs left `running` by a daemon that died as
/// `interrupted`, serves JSON-RPC on the Unix socket, reloads its configuration on SIGHUP,
/// and shuts down cleanly on SIGTERM or SIGINT (runs in flight get `shutdownGrace` to
/// finish; the rest are recorded as `interrupted`).
public final class Daemon: Sendable {
    /// The command line, whose configuration a reload makes again.
    private let invocation: DaemonInvocation
    /// The configuration it starts with, its models and their API keys.
    private let resolved: ResolvedConfiguration
    /// The settings at start; ``live`` holds those in force.
    private var configuration: DaemonConfiguration { resolved.configuration }
    /// The settings in force, which a reload replaces.
    private let live: LiveConfiguration
    private let logger: Logger
    /// The environment the daemon was started with, where `inference attach --api-key-env`
    /// and reloads find their variables; the live environment no longer holds the key variables.
    private let environment: [String: String]
    /// Where a reload says that it starts and ends.
    private let reloadHooks: ReloadHooks

    /// Creates a daemon with the configuration `invocation` makes for `environment`, and
    /// reads the API keys of its endpoints now, from `environment` or their files: the
    /// variables they came from are then withdrawn from the process's environment and
    /// overwritten in the area `/proc/PID/environ` shows
    /// (``APIKeySource/withdrawFromEnvironment()``), so call this first thing. Each reload
    /// calls `reloadHooks` as it starts and ends.
    /// - Throws: ``DaemonError`` naming the setting or the endpoint that is wrong, or whose
    ///   key cannot be read.
    public init(invocation: DaemonInvocation, environment: [String: String] = ProcessInfo.processInfo.environment,
                reloadHooks: ReloadHooks = .none) throws(DaemonError) {
        self.invocation = invocation
        self.environment = environment
        self.reloadHooks = reloadHooks
        do {
            resolved = try ResolvedConfiguration(invocation.configuration(environment: environment), environment: environment)
        } catch {
            throw DaemonError("\(error)")
        }
        live = LiveConfiguration(resolved.configuration)
        logger = Logger(level: resolved.configuration.logLevel)
        resolved.withdrawKeysFromEnvironment()
    }

    /// Serves until SIGTERM or SIGINT, reloading the configuration at each SIGHUP. Throws
    /// when the daemon cannot start.
    public func run() async throws(DaemonError) {
        // Raised before anything opens a descriptor; connections get their share of it.
        let descriptors: ProcessHardening.DescriptorLimit
        do {
            descriptors = try ProcessHardening.raiseDescriptorLimit()
        } catch {
            throw DaemonError("cannot raise the descriptor limit: \(error)")
        }
        let defaultMaximumConnections = DaemonConfiguration.defaultMaximumConnections(descriptorLimit: descriptors.current)
        let maximumConnections = configuration.maximumConnections ?? defaultMaximumConnections
        let registry: Registry
        do {
            registry = try Registry(dataDirectory: configuration.dataDirectory)
        } catch {
            throw DaemonError("cannot open the registry in \(configuration.dataDirectory): \(error)")
        }
        do {
            let interrupted = try registry.interruptUnfinishedRuns(
                at: Date(), message: "skillhostd stopped before the run finished")
            if !interrupted.isEmpty {
                logger.warning("runs left unfinished by the previous daemon are now interrupted",
                               ["run_ids": .array(interrupted.map(JSONValue.int))])
            }
        } catch {
            throw DaemonError("cannot mark unfinished runs as interrupted: \(error)")
        }

        let leftovers = LeftoverWorkers.killAll()
        if !leftovers.isEmpty {
            logger.warning("killed worker processes left by a previous skillhostd",
                           ["pids": .array(leftovers.map { .int(Int64($0)) })])
        }

        let inference = try makeRouter()
        var limits = InvocationLimits()
        limits.maximumOutputBytes = configuration.maximumOutputBytes
        let runner = IsolatingRunner(
            process: ProcessRunner(inference: inference, limits: limits, settings: configuration.processIsolation),
            inProcess: InProcessRunner(inference: inference, limits: limits))
        let sandbox = try await probeSandbox(runner.process)
        let runs = RunService(registry: registry, runner: runner, configuration: live, logger: logger,
                              inference: inference)
        let batches = BatchRunner(registry: registry, runs: runs, logger: logger)
        let scheduler = Scheduler(registry: registry, runs: runs, batches: batches, clock: SystemSchedulerClock(), logger: logger)
        let reloads = ReloadRecord()
        let service = SkillHostService(
            registry: registry, runs: runs, runner: runner, batches: batches, scheduler: scheduler, inference: inference,
            environment: environment, configuration: live, sandbox: sandbox, reloads: reloads, logger: logger)
        let server = JSONRPCServer(
            socketPath: configuration.socketPath, handler: service,
            limits: JSONRPCServerLimits(configuration: configuration, maximumConnections: maximumConnections))
        let reloader = ConfigurationReloader(
            invocation: invocation, environment: environment, inForce: resolved, live: live, record: reloads,
            router: inference, server: server, runner: runner,
            defaultMaximumConnections: defaultMaximumConnections,
            prewarm: { [self] in prewarmInstalledSkills(registry: registry, runner: runner) }, logger: logger, hooks: reloadHooks)

        let stop: StopSignal
        do {
            stop = try StopSignal(
                signals: [SIGTERM, SIGINT], reloadSignal: SIGHUP,
                shutdownLimit: { [live] in live.current.shutdownGrace + Self.shutdownMargin },
                watching: { server.vitalDescriptors }, onReload: { reloader.requestReload() }
            ) { [logger] failure in
                Self.exitAfter(failure, logger: logger)
            }
        } catch {
            throw DaemonError("cannot catch SIGTERM, SIGINT and SIGHUP: \(error)")
        }
        do {
            try server.start()
        } catch {
            let remedy = error.remedy(otherPath: "pass --socket with another path")
            throw DaemonError("\(error)" + (remedy.map { ": \($0)" } ?? ""))
        }
        prewarmInstalledSkills(registry: registry, runner: runner)
        do {
            let resumed = try batches.resumeUnfinishedBatches()
            if !resumed.isEmpty {
                logger.info("batches left unfinished by the previous daemon go on", ["batch_ids": .array(resumed.map(JSONValue.int))])
            }
        } catch {
            throw DaemonError("cannot resume the batches left unfinished: \(error)")
        }
        await scheduler.start()
        logger.info("skillhostd is serving", [
            "version": .string(SkillhostRelease.version), "pid": .int(Int64(getpid())),
            "socket": .string(configuration.socketPath), "data_dir": .string(configuration.dataDirectory),
            "models": .array(inference.models().map(JSONValue.string)),
            "default_model": inference.defaultModel.map(JSONValue.string) ?? .null,
            "descriptor_limit": .int(Int64(descriptors.current)), "descriptor_limit_before": .int(Int64(descriptors.previous)),
            "max_connections": .int(Int64(maximumConnections)), "listen_backlog": .int(Int64(server.listenBacklog)),
            "max_request_bytes": .int(Int64(configuration.maximumRequestBytes)),
            "max_batch_length": .int(Int64(configuration.maximumBatchLength)),
            "dumpable": .bool(ProcessHardening.isDumpable),
        ])

        let signal = await stop.wait()
        logger.info("shutting down", ["signal": .string(signal == SIGTERM ? "SIGTERM" : "SIGINT"),
                                       "runs_in_flight": .int(Int64(runs.activeRuns))])
        runs.beginShutdown()
        let grace = live.current.shutdownGrace
        async let batchesStopped: Void = batches.shutDown(grace: grace)
        async let schedulesStopped: Void = scheduler.shutDown(grace: grace)
        await server.shutdown(grace: grace)
        await batchesStopped
        await schedulesStopped
        runner.process.shutDown()
        inference.shutdown()
        logger.info("skillhostd stopped")
    }

    /// The sandbox of workers on this machine, from a worker started to report it: logged
    /// (a missing layer as a warning), and fatal under `sandbox = required` when a layer is
    /// missing or no worker can start.
    private func probeSandbox(_ runner: ProcessRunner) async throws(DaemonError) -> SandboxStatus {
        let mode = configuration.processIsolation.sandbox.mode
        guard let probe = await runner.probeSandbox() else {
            logger.warning("the worker sandbox is off (sandbox = off): skills in worker processes have the daemon's authority")
            return SandboxStatus(mode: mode.rawValue, layers: [])
        }
        let report: SandboxReport
        switch probe {
        case let .success(probed):
            report = probed
        case let .failure(error):
            guard mode != .required else { throw DaemonError("\(error)") }
            logger.warning("\(error)")
            return SandboxStatus(mode: mode.rawValue, layers: [])
        }
        let layers = JSONValue.array(report.activeLayers.map { .string($0.rawValue) })
        let missing = JSONValue.object(Dictionary(uniqueKeysWithValues: report.missing.map { ($0.layer.rawValue, JSONValue.string($0.detail)) }))
        var fields: [String: JSONValue] = ["mode": .string(mode.rawValue), "active": layers]
        if let reason = runner.namespacesUnavailableReason { fields["namespaces_unavailable"] = .string(reason) }
        if report.missing.isEmpty {
            logger.info("worker sandbox: every layer is active", fields)
        } else {
            fields["missing"] = missing
            logger.warning("worker sandbox: some layers are missing; set sandbox to required to refuse to run without them",
                           fields)
        }
        return SandboxStatus(mode: mode.rawValue, layers: report.entries)
    }

    /// How long the daemon may take to stop beyond its `shutdown_grace_ms` before it exits
    /// anyway: the server's own waits after the grace, the workers and the registry.
    static let shutdownMargin = Duration.seconds(10)

    /// The status the daemon exits with when it can neither serve nor stop as it should
    /// (EX_SOFTWARE): code in its process, an in-process skill, closed what it needs.
    public static let brokenProcessStatus: Int32 = 70

    /// Logs why the daemon cannot go on and ends the process at once with
    /// ``brokenProcessStatus``, so that a supervisor restarts it. Nothing more is tried: the
    /// registry's descriptors may be gone or reused too. Runs in flight are recorded as
    /// `interrupted` at the next start.
    private static func exitAfter(_ failure: StopSignal.Failure, logger: Logger) -> Never {
        switch failure {
        case let .descriptorLost(loss):
            logger.error("skillhostd lost a descriptor it cannot serve without, most likely closed by an in-process skill; "
                + "exiting with status \(brokenProcessStatus) for a supervisor to restart it "
                + "(run untrusted skills in process isolation)", ["loss": .string(loss)])
        case let .shutdownOverran(limit):
            logger.error("skillhostd did not finish stopping within \(Int64(limit.milliseconds)) ms of the stop signal "
                + "(shutdown_grace_ms plus \(Int64(shutdownMargin.milliseconds)) ms), most likely because an in-process "
                + "skill broke it; exiting with status \(brokenProcessStatus)")
        }
        _exit(brokenProcessStatus)
    }

    /// Starts, in the background, the workers of every installed skill that runs in a
    /// worker, so that not even the first run after a restart pays for a spawn.
    private func prewarmInstalledSkills(registry: Registry, runner: IsolatingRunner) {
        do {
            for skill in try registry.skills() where skill.isolation == .process {
                runner.prewarm(skill, path: try registry.storedFilePath(sha256: skill.sha256))
            }
        } catch {
            logger.warning("cannot start the workers of the installed skills ahead of their runs; their first runs will",
                           ["error": .string("\(error)")])
        }
    }

    /// The router over the configured models' endpoints, with the keys read at init.
    private func makeRouter() throws(DaemonError) -> InferenceRouter {
        let router = InferenceRouter(defaultModel: resolved.models.defaultModel, policy: resolved.routingPolicy) { endpoint in
            OpenAICompatibleClient(endpoint: endpoint)
        }
        for endpoint in resolved.routedEndpoints {
            do {
                try router.attach(endpoint)
            } catch {
                throw DaemonError("cannot route to the endpoint \(endpoint.name) of the model \(endpoint.model): \(error)")
            }
        }
        router.startHealthChecks()
        return router
    }
}

/// Why the daemon could not start.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// What failed and what to do.
    public var description: String

    /// An error that says `description`.
    package init(_ description: String) {
        self.description = description
    }
}

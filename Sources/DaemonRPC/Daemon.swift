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
import ServiceManager
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol
import SystemCalls

/// skillhostd: locks its data directory, opens the registry, records runs left `running` by a
/// daemon that died as `interrupted`, serves JSON-RPC on the Unix socket (its own, or the one
/// its service manager passed), and shuts down cleanly on SIGTERM or SIGINT (runs in flight
/// get `shutdownGrace` to finish; the rest are recorded as `interrupted`). It tells its
/// service manager, when it has one, how far it got: `STATUS=` lines, `READY=1` once it
/// serves, watchdog keep-alives, `STOPPING=1` (docs/SERVICE.md).
public final class Daemon: Sendable {
    private let configuration: DaemonConfiguration
    private let logger: Logger
    /// The sockets the service manager passed (socket activation), of which the daemon
    /// serves one; none when it binds its own.
    private let activation: SocketActivation.Handover
    /// Tells the service manager the daemon's state. A reload (SIGHUP) calls its
    /// ``ServiceNotifier/reloading(status:)`` as it begins and ``ServiceNotifier/ready(status:)``
    /// once it is over, through ``report(_:)``.
    private let notifier: ServiceNotifier
    /// The environment the daemon was started with, where `inference attach --api-key-env`
    /// finds its variable; the live environment no longer holds the key variables.
    private let environment: [String: String]
    private let models: InferenceModels
    /// The API key of each endpoint that has one, by endpoint name.
    private let keys: [String: String]

    /// Creates a daemon with `configuration`, and reads the API keys of its endpoints now,
    /// from `environment` or their files: the variables they came from are then withdrawn
    /// from the process's environment and overwritten in the area `/proc/PID/environ`
    /// shows (``APIKeySource/withdrawFromEnvironment()``), so call this first thing. The
    /// daemon serves the socket of `activation` when it holds one, and reports to `notifier`.
    /// - Throws: ``DaemonError`` naming the setting or the endpoint whose key cannot be read.
    public init(configuration: DaemonConfiguration,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                activation: SocketActivation.Handover = .notActivated,
                notifier: ServiceNotifier = .disconnected) throws(DaemonError) {
        self.configuration = configuration
        self.logger = Logger(level: configuration.logLevel, format: configuration.logFormat)
        self.environment = environment
        self.activation = activation
        self.notifier = notifier
        do {
            models = try configuration.inferenceModels()
            keys = try configuration.apiKeys(for: models, environment: environment)
        } catch {
            throw DaemonError("\(error)")
        }
        for (_, endpoint) in models.endpoints {
            endpoint.apiKey?.withdrawFromEnvironment()
        }
    }

    /// Serves until SIGTERM or SIGINT. Throws when the daemon cannot start.
    public func run() async throws(DaemonError) {
        logServiceManagerHandover()
        // Raised before anything opens a descriptor; connections get their share of it.
        let descriptors: ProcessHardening.DescriptorLimit
        do {
            descriptors = try ProcessHardening.raiseDescriptorLimit()
        } catch {
            throw DaemonError("cannot raise the descriptor limit: \(error)")
        }
        let maximumConnections = self.configuration.maximumConnections
            ?? DaemonConfiguration.defaultMaximumConnections(descriptorLimit: descriptors.current)
        let socket = try ServedSocket.choose(from: activation, configuredPath: self.configuration.socketPath)
        logChosen(socket)
        // The configuration as clients see it: its socket is the one served.
        let configuration = {
            var served = self.configuration
            served.socketPath = socket.path
            return served
        }()
        report(try notifier.status("starting: locking the data directory \(configuration.dataDirectory)"))
        let dataDirectoryLock = try DataDirectoryLock.acquire(dataDirectory: configuration.dataDirectory,
                                                              socketPath: socket.path)
        report(try notifier.status("starting: opening the registry"))
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

        do throws(WorkerSandboxSettings.UnknownUser) {
            try configuration.processIsolation.sandbox.validate()
        } catch {
            throw DaemonError("\(error)")
        }
        let inference = try makeRouter()
        var limits = InvocationLimits()
        limits.maximumOutputBytes = configuration.maximumOutputBytes
        let runner = IsolatingRunner(
            process: ProcessRunner(inference: inference, limits: limits, settings: configuration.processIsolation),
            inProcess: InProcessRunner(inference: inference, limits: limits))
        report(try notifier.status("starting: probing the worker sandbox"))
        let sandbox = try await probeSandbox(runner.process)
        let runs = RunService(registry: registry, runner: runner, configuration: configuration, logger: logger,
                              inference: inference)
        let batches = BatchRunner(registry: registry, runs: runs, logger: logger)
        let scheduler = Scheduler(registry: registry, runs: runs, batches: batches, clock: SystemSchedulerClock(), logger: logger)
        let service = SkillHostService(
            registry: registry, runs: runs, runner: runner, batches: batches, scheduler: scheduler, inference: inference,
            environment: environment, configuration: configuration, sandbox: sandbox, logger: logger)
        let serverLimits = JSONRPCServerLimits(configuration: configuration, maximumConnections: maximumConnections)
        let server = socket.passed.map { JSONRPCServer(listener: $0, handler: service, limits: serverLimits) }
            ?? JSONRPCServer(socketPath: configuration.socketPath, handler: service, limits: serverLimits)

        let lockIdentity = [dataDirectoryLock.descriptorIdentity].compactMap { $0 }
        let stop: StopSignal
        do {
            stop = try StopSignal(signals: [SIGTERM, SIGINT], shutdownLimit: configuration.shutdownGrace + Self.shutdownMargin,
                                  watching: { server.vitalDescriptors + lockIdentity }) { [logger] failure in
                Self.exitAfter(failure, logger: logger)
            }
        } catch {
            throw DaemonError("cannot catch SIGTERM and SIGINT: \(error)")
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
            "socket": .string(server.socketPath), "data_dir": .string(configuration.dataDirectory),
            "socket_passed_by_service_manager": .bool(socket.passed != nil),
            "models": .array(inference.models().map(JSONValue.string)),
            "default_model": inference.defaultModel.map(JSONValue.string) ?? .null,
            "descriptor_limit": .int(Int64(descriptors.current)), "descriptor_limit_before": .int(Int64(descriptors.previous)),
            "max_connections": .int(Int64(maximumConnections)),
            "listen_backlog": server.listenBacklog.map { .int(Int64($0)) } ?? .null,
            "max_request_bytes": .int(Int64(configuration.maximumRequestBytes)),
            "max_batch_length": .int(Int64(configuration.maximumBatchLength)),
            "dumpable": .bool(ProcessHardening.isDumpable),
        ])
        let models = inference.models().count
        report(try notifier.ready(status: "serving \(models) \(models == 1 ? "model" : "models") on \(server.socketPath)"))
        let watchdog = startWatchdog(server: server)

        let signal = await stop.wait()
        let inFlight = runs.activeRuns
        report(try notifier.stopping(status: "stopping: \(inFlight) runs in flight get up to "
            + "\(Int64(configuration.shutdownGrace.milliseconds)) ms to finish"))
        watchdog?.cancel()
        logger.info("shutting down", ["signal": .string(signal == SIGTERM ? "SIGTERM" : "SIGINT"),
                                       "runs_in_flight": .int(Int64(inFlight))])
        runs.beginShutdown()
        async let batchesStopped: Void = batches.shutDown(grace: configuration.shutdownGrace)
        async let schedulesStopped: Void = scheduler.shutDown(grace: configuration.shutdownGrace)
        await server.shutdown(grace: configuration.shutdownGrace)
        await batchesStopped
        await schedulesStopped
        runner.process.shutDown()
        inference.shutdown()
        logger.info("skillhostd stopped")
        // Held to the end; the process's exit releases it.
        withExtendedLifetime(dataDirectoryLock) {}
    }

    /// Sends a report to the service manager, as in `report(try notifier.ready(status: ...))`;
    /// one that cannot be sent is logged as a warning, and the daemon goes on: a report is
    /// never worth stopping for.
    func report(_ send: @autoclosure () throws(SystemCallError) -> Void) {
        do {
            try send()
        } catch {
            logger.warning("cannot report to the service manager", ["notify_socket": .string(notifier.socketAddress ?? ""),
                                                                     "error": .string("\(error)")])
        }
    }

    /// Logs what of the service manager's variables the daemon did not follow.
    private func logServiceManagerHandover() {
        if let pid = activation.meantForProcess {
            logger.warning("LISTEN_FDS was set for another process; its descriptors are not taken, and the daemon binds its socket",
                           ["listen_pid": .int(Int64(pid)), "pid": .int(Int64(getpid()))])
        }
        if let ignored = notifier.watchdogIgnored {
            logger.warning("the service manager's watchdog variables are not followed; no keep-alives are sent",
                           ["reason": .string(ignored)])
        }
    }

    /// Logs the socket the service manager passed, and closes those it passed in vain.
    private func logChosen(_ socket: ServedSocket) {
        guard socket.passed != nil else { return }
        if socket.path != configuration.socketPath {
            logger.warning("the socket setting is not used: the daemon serves the socket the service manager passed",
                           ["socket_setting": .string(configuration.socketPath), "socket": .string(socket.path)])
        }
        if !socket.unused.isEmpty {
            logger.warning("the service manager passed descriptors the daemon does not serve; they are closed", [
                "descriptors": .array(socket.unused.map { .string("\($0.descriptor) (\($0.name ?? "unnamed"))") }),
            ])
            socket.closeUnused()
        }
    }

    /// Starts the watchdog's keep-alives when the service manager watches the daemon: from a
    /// task on the concurrency pool, which handles every request, so that they stop when the
    /// pool is wedged, and each only while the server still accepts connections.
    private func startWatchdog(server: JSONRPCServer) -> Task<Void, Never>? {
        let task = ServiceWatchdog.start(notifier: notifier, check: {
            server.isAccepting ? nil : "the JSON-RPC server no longer accepts connections"
        }, report: { [logger] event in
            switch event {
            case let .unhealthy(reason):
                logger.error("the daemon is not alive; watchdog keep-alives stop, for the service manager to restart it",
                             ["reason": .string(reason)])
            case .healthy:
                logger.info("the daemon is alive again; watchdog keep-alives go on")
            case let .sendFailed(error):
                logger.warning("cannot send the watchdog keep-alive", ["error": .string("\(error)")])
            }
        })
        if task != nil, let timeout = notifier.watchdogTimeout {
            logger.info("watchdog keep-alives every half of the service manager's timeout",
                        ["watchdog_timeout_ms": .int(Int64(timeout.milliseconds))])
        }
        return task
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
    public static let brokenProcessStatus = DaemonExitStatus.broken.rawValue

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
        let policy = RoutingPolicy(
            maximumAttempts: configuration.maximumInferenceAttempts, baseRetryDelay: configuration.inferenceRetryBaseDelay,
            maximumRetryDelay: configuration.inferenceRetryMaximumDelay, healthCheckInterval: configuration.healthCheckInterval)
        let router = InferenceRouter(defaultModel: models.defaultModel, policy: policy) { endpoint in
            OpenAICompatibleClient(endpoint: endpoint)
        }
        for (model, endpoint) in models.endpoints {
            let server = InferenceEndpoint(
                baseURL: endpoint.url, defaultModel: endpoint.servedModel, apiKey: keys[endpoint.name],
                connectTimeout: configuration.inferenceConnectTimeout, requestTimeout: configuration.inferenceRequestTimeout)
            do {
                try router.attach(RoutedEndpoint(
                    name: endpoint.name, model: model, endpoint: server,
                    maximumConcurrentRequests: endpoint.maximumConcurrentRequests, apiKeySource: endpoint.apiKey?.description))
            } catch {
                throw DaemonError("cannot route to the endpoint \(endpoint.name) of the model \(model): \(error)")
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
    /// The status skillhostd exits with.
    public var exitStatus: DaemonExitStatus

    /// An error that says `description`, for skillhostd to exit with `exitStatus`.
    package init(_ description: String, exitStatus: DaemonExitStatus = .cannotStart) {
        self.description = description
        self.exitStatus = exitStatus
    }
}

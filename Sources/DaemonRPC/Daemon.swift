import Dispatch
import Foundation
import Glibc
import HTTPAPI
import HTTPServer
import InferenceDriver
import JSON
import JSONRPC
import Logging
import Metrics
import ProcessIsolation
import Registry
import Scheduling
import ServiceManager
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol
import SystemCalls
import Synchronization

/// skillhostd: locks its data directory, opens the registry, records runs left `running` by a
/// daemon that died as `interrupted`, serves JSON-RPC on the Unix socket (its own, or the one
/// its service manager passed), reloads its configuration on SIGHUP, and shuts down cleanly
/// on SIGTERM or SIGINT (runs in flight get `shutdownGrace` to finish; the rest are recorded
/// as `interrupted`). It tells its service manager, when it has one, how far it got:
/// `STATUS=` lines, `READY=1` once it serves, `RELOADING=1` and `READY=1` around a reload,
/// watchdog keep-alives, `STOPPING=1` (docs/SERVICE.md).
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
    /// The sockets the service manager passed (socket activation), of which the daemon
    /// serves one; none when it binds its own.
    private let activation: SocketActivation.Handover
    /// Tells the service manager the daemon's state, through ``report(_:)``.
    private let notifier: ServiceNotifier

    /// Creates a daemon with the configuration `invocation` makes for `environment`, and
    /// reads the API keys of its endpoints now, from `environment` or their files: the
    /// variables they came from are then withdrawn from the process's environment and
    /// overwritten in the area `/proc/PID/environ` shows
    /// (``APIKeySource/withdrawFromEnvironment()``), so call this first thing. The daemon
    /// serves the socket of `activation` when it holds one, and reports to `notifier`.
    /// - Throws: ``DaemonError`` naming the setting or the endpoint that is wrong, or whose
    ///   key cannot be read.
    public init(invocation: DaemonInvocation, environment: [String: String] = ProcessInfo.processInfo.environment,
                activation: SocketActivation.Handover = .notActivated,
                notifier: ServiceNotifier = .disconnected) throws(DaemonError) {
        self.invocation = invocation
        self.environment = environment
        self.activation = activation
        self.notifier = notifier
        do {
            resolved = try ResolvedConfiguration(invocation.configuration(environment: environment), environment: environment)
        } catch {
            throw DaemonError("\(error)")
        }
        live = LiveConfiguration(resolved.configuration)
        logger = Logger(level: resolved.configuration.logLevel, format: resolved.configuration.logFormat)
        resolved.withdrawKeysFromEnvironment()
    }

    /// Serves until SIGTERM or SIGINT, reloading the configuration at each SIGHUP. Throws
    /// when the daemon cannot start.
    public func run() async throws(DaemonError) {
        logServiceManagerHandover()
        // Raised before anything opens a descriptor; connections get their share of it.
        let descriptors: ProcessHardening.DescriptorLimit
        do {
            descriptors = try ProcessHardening.raiseDescriptorLimit()
        } catch {
            throw DaemonError("cannot raise the descriptor limit: \(error)")
        }
        let socket = try ServedSocket.choose(from: activation, configuredPath: configuration.socketPath)
        logChosen(socket)
        // A passed socket is the daemon's socket setting, as if given as a flag: host.status
        // shows it, and no reload takes it for a change that needs a restart.
        let invocation = socket.passed == nil ? self.invocation : self.invocation.serving(socketPath: socket.path)
        let resolved = socket.passed == nil ? self.resolved : self.resolved.serving(socketPath: socket.path)
        let configuration = resolved.configuration
        live.replace(with: configuration)
        let defaultMaximumConnections = DaemonConfiguration.defaultMaximumConnections(descriptorLimit: descriptors.current)
        let maximumConnections = configuration.maximumConnections ?? defaultMaximumConnections
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

        let metrics = DaemonMetrics()
        let inference = try makeRouter(metrics: metrics)
        var limits = InvocationLimits()
        limits.maximumOutputBytes = configuration.maximumOutputBytes
        let runner = IsolatingRunner(
            process: ProcessRunner(inference: inference, limits: limits, settings: configuration.processIsolation),
            inProcess: InProcessRunner(inference: inference, limits: limits))
        report(try notifier.status("starting: probing the worker sandbox"))
        let sandbox = try await probeSandbox(runner.process)
        let runs = RunService(registry: registry, runner: runner, configuration: live, logger: logger,
                              inference: inference, metrics: metrics)
        metrics.watch(runs: runs, runner: runner, inference: inference)
        let batches = BatchRunner(registry: registry, runs: runs, logger: logger, metrics: metrics)
        let scheduler = Scheduler(registry: registry, runs: runs, batches: batches, clock: SystemSchedulerClock(), logger: logger,
                                  metrics: metrics)
        let reloads = ReloadRecord()
        let service = SkillHostService(
            registry: registry, runs: runs, runner: runner, batches: batches, scheduler: scheduler, inference: inference,
            environment: environment, configuration: live, sandbox: sandbox, reloads: reloads, metrics: metrics, logger: logger)
        let serverLimits = JSONRPCServerLimits(configuration: configuration, maximumConnections: maximumConnections)
        let server = socket.passed.map { JSONRPCServer(listener: $0, handler: service, limits: serverLimits) }
            ?? JSONRPCServer(socketPath: configuration.socketPath, handler: service, limits: serverLimits)
        let readiness = Readiness()
        let http = try makeHTTPServer(registry: registry, service: service, server: server, metrics: metrics, readiness: readiness)
        let reloader = ConfigurationReloader(
            invocation: invocation, environment: environment, inForce: resolved, live: live, record: reloads,
            router: inference, server: server, http: http, runner: runner,
            defaultMaximumConnections: defaultMaximumConnections,
            prewarm: { [self] in prewarmInstalledSkills(registry: registry, runner: runner) }, logger: logger,
            hooks: reloadHooks(inference))

        let lockIdentity = [dataDirectoryLock.descriptorIdentity].compactMap { $0 }

        let stop: StopSignal
        do {
            stop = try StopSignal(
                signals: [SIGTERM, SIGINT], reloadSignal: SIGHUP,
                shutdownLimit: { [live] in live.current.shutdownGrace + Self.shutdownMargin },
                watching: { server.vitalDescriptors + (http?.vitalDescriptors ?? []) + lockIdentity }, onReload: { reloader.requestReload() }
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
        if let http { try startHTTP(http) }
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
        readiness.isReady = true
        report(try notifier.ready(status: Self.servingStatus(inference, socketPath: server.socketPath)))
        let watchdog = startWatchdog(server: server)

        let signal = await stop.wait()
        reloader.stop()
        let inFlight = runs.activeRuns
        let grace = live.current.shutdownGrace
        report(try notifier.stopping(status: "stopping: \(inFlight) runs in flight get up to "
            + "\(grace.wholeMilliseconds) ms to finish"))
        watchdog?.cancel()
        logger.info("shutting down", ["signal": .string(signal == SIGTERM ? "SIGTERM" : "SIGINT"),
                                       "runs_in_flight": .int(Int64(inFlight))])
        runs.beginShutdown()
        async let batchesStopped: Void = batches.shutDown(grace: grace)
        async let detachedRunsStopped: Void = runs.shutDownDetachedRuns(grace: grace)
        async let schedulesStopped: Void = scheduler.shutDown(grace: grace)
        readiness.isReady = false
        async let httpStopped: Void? = http?.shutdown(grace: grace)
        await server.shutdown(grace: grace)
        await httpStopped
        await batchesStopped
        await detachedRunsStopped
        await schedulesStopped
        runner.process.shutDown()
        inference.shutdown()
        logger.info("skillhostd stopped")
        // Held to the end; the process's exit releases it.
        withExtendedLifetime(dataDirectoryLock) {}
    }

    /// The HTTP API's server (``DaemonHTTPRouter``) when `http_listen` asks for one, within
    /// the `http_...` limits, over TLS with `http_tls_cert` and `http_tls_key`; nil when it
    /// is off (with a warning when TLS files are given for nothing). It serves once
    /// ``startHTTP(_:)`` starts it.
    /// - Throws: ``DaemonError`` naming `http_listen` when the address is wrong.
    private func makeHTTPServer(registry: Registry, service: SkillHostService, server: JSONRPCServer, metrics: DaemonMetrics,
                                readiness: Readiness) throws(DaemonError) -> HTTPServer? {
        guard let listen = configuration.httpListen else {
            if let tls = resolved.httpTLS {
                logger.warning("http_tls_cert and http_tls_key are given, but http_listen is not: the HTTP API is off",
                               tls.logFields)
            }
            return nil
        }
        let address: HTTPListenAddress
        do {
            address = try HTTPListenAddress(parsing: listen)
        } catch {
            throw DaemonError("http_listen \(listen): \(error)", exitStatus: .usage)
        }
        let router = DaemonHTTPRouter(services: DaemonHTTPServices(
            registry: registry, protocolHandler: service, protocolLimits: { server.limits }, isReady: { readiness.isReady },
            metrics: { (PrometheusTextFormat.contentType, metrics.registry.render()) },
            recordRequest: { metrics.recordHTTPRequest(route: $0, method: $1, status: $2, duration: $3) },
            servesTLS: resolved.httpTLS != nil))
        return HTTPServer(address: address, handler: router, limits: configuration.httpLimits, tls: resolved.httpTLS)
    }

    /// Starts the HTTP API's server, and logs its address, with the port bound when 0 was
    /// asked for, and whether it speaks TLS, with which certificate.
    /// - Throws: ``DaemonError`` naming `http_listen` when the address is taken.
    private func startHTTP(_ server: HTTPServer) throws(DaemonError) {
        let bound: HTTPListenAddress
        do {
            bound = try server.start()
        } catch {
            throw DaemonError("cannot serve HTTP at \(server.address) (http_listen): \(error)")
        }
        let fields: [String: JSONValue] = ["http_listen": .string(configuration.httpListen ?? ""), "address": .string("\(bound)")]
        logger.info("the HTTP API listens", fields.merging(server.tls?.logFields ?? ["tls": false]) { $1 })
        server.tls?.warnIfExpired(logger)
    }

    /// What the service manager's status line says while the daemon serves.
    private static func servingStatus(_ inference: InferenceRouter, socketPath: String) -> String {
        let models = inference.models().count
        return "serving \(models) \(models == 1 ? "model" : "models") on \(socketPath)"
    }

    /// A reload's reports to the service manager: `RELOADING=1` as it starts, `READY=1`
    /// once it is over, applied or refused (the daemon serves on either way).
    private func reloadHooks(_ inference: InferenceRouter) -> ReloadHooks {
        ReloadHooks(started: { [self] in reportReloading() },
                    finished: { [self] _ in reportReady(Self.servingStatus(inference, socketPath: live.current.socketPath)) })
    }

    /// Tells the service manager that a reload started (`RELOADING=1`).
    private func reportReloading() {
        report(try notifier.reloading(status: "reloading the configuration"))
    }

    /// Tells the service manager that the daemon serves (`READY=1`), with `status`.
    private func reportReady(_ status: String) {
        report(try notifier.ready(status: status))
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
                        ["watchdog_timeout_ms": .int(timeout.wholeMilliseconds)])
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

    /// Logs why the daemon cannot go on and ends the process at once with
    /// ``DaemonExitStatus/broken``, so that a supervisor restarts it. Nothing more is tried: the
    /// registry's descriptors may be gone or reused too. Runs in flight are recorded as
    /// `interrupted` at the next start.
    private static func exitAfter(_ failure: StopSignal.Failure, logger: Logger) -> Never {
        switch failure {
        case let .descriptorLost(loss):
            logger.error("skillhostd lost a descriptor it cannot serve without, most likely closed by an in-process skill; "
                + "exiting with status \(DaemonExitStatus.broken.rawValue) for a supervisor to restart it "
                + "(run untrusted skills in process isolation)", ["loss": .string(loss)])
        case let .shutdownOverran(limit):
            logger.error("skillhostd did not finish stopping within \(limit.wholeMilliseconds) ms of the stop signal "
                + "(shutdown_grace_ms plus \(shutdownMargin.wholeMilliseconds) ms), most likely because an in-process "
                + "skill broke it; exiting with status \(DaemonExitStatus.broken.rawValue)")
        }
        _exit(DaemonExitStatus.broken.rawValue)
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

    /// The router over the configured models' endpoints, with the keys read at init, whose
    /// attempts `metrics` counts.
    private func makeRouter(metrics: DaemonMetrics) throws(DaemonError) -> InferenceRouter {
        let router = InferenceRouter(defaultModel: resolved.models.defaultModel, policy: resolved.routingPolicy,
                                     observeAttempt: { metrics.record($0) }) { endpoint in
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

/// Whether the daemon is ready (`/readyz`): from "skillhostd is serving" until it stops.
/// An atomic: the HTTP API's requests read it on any thread.
final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)

    /// Whether the daemon serves now.
    var isReady: Bool {
        get { ready.load(ordering: .acquiring) }
        set { ready.store(newValue, ordering: .releasing) }
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

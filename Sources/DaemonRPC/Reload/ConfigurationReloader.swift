import Dispatch
import Foundation
import HTTPServer
import InferenceDriver
import JSON
import JSONRPC
import Logging
import SkillDaemon
import SkillRuntime
import Synchronization

/// Reloads the daemon's configuration (on SIGHUP): reads the config file it started with
/// again, under the same flags and environment, resolves and checks the whole of it, and
/// only then applies what can change while the daemon runs, in one go (the HTTP API's
/// certificate and key, read again, included: a renewed certificate needs no restart). A
/// configuration that is wrong anywhere is refused whole and the settings in force stay. Settings that only a
/// restart changes keep their running values, and are reported. The log and `host.status`
/// (``ReloadRecord``) say what changed, or why the reload was refused.
///
/// Reloads run one at a time on a queue of their own, never on the signal thread: reading a
/// key file must not hold up a stop signal.
final class ConfigurationReloader: Sendable {
    /// What the daemon was started with, read again at each reload.
    private let invocation: DaemonInvocation
    /// The environment the daemon was started with: the defaults and the API key
    /// variables come from it, as they did at start.
    private let environment: [String: String]
    /// The configuration in force, resolved: what the next reload is compared with.
    private let inForce: Mutex<ResolvedConfiguration>
    private let live: LiveConfiguration
    private let record: ReloadRecord
    private let router: InferenceRouter
    private let server: JSONRPCServer
    /// The HTTP API's server, when `http_listen` is on.
    private let http: HTTPServer?
    private let runner: IsolatingRunner
    /// The connections served at once when `max_connections` is not given, from the
    /// descriptor limit found at start.
    private let defaultMaximumConnections: Int
    /// Starts the workers of the installed skills ahead of their runs: after a reload that
    /// changes how workers are started, the idle ones no run can use any more are replaced.
    private let prewarm: @Sendable () -> Void
    private let logger: Logger
    private let hooks: ReloadHooks
    private let queue = DispatchQueue(label: "skillhost.reload")
    /// Whether the daemon is stopping: a reload still queued then does nothing, so that no
    /// part is reconfigured while it shuts down and the service manager hears no `READY=1`
    /// after `STOPPING=1`.
    private let stopping = Atomic<Bool>(false)

    /// A reloader of the daemon whose configuration in force is `inForce`, applying to these parts.
    init(invocation: DaemonInvocation, environment: [String: String], inForce: ResolvedConfiguration,
         live: LiveConfiguration, record: ReloadRecord, router: InferenceRouter, server: JSONRPCServer,
         http: HTTPServer?, runner: IsolatingRunner, defaultMaximumConnections: Int, prewarm: @escaping @Sendable () -> Void,
         logger: Logger, hooks: ReloadHooks) {
        self.invocation = invocation
        self.environment = environment
        self.inForce = Mutex(inForce)
        self.live = live
        self.record = record
        self.router = router
        self.server = server
        self.http = http
        self.runner = runner
        self.defaultMaximumConnections = defaultMaximumConnections
        self.prewarm = prewarm
        self.logger = logger
        self.hooks = hooks
    }

    /// Starts a reload on the reload queue and returns at once: what the signal thread calls.
    func requestReload() {
        queue.async { [self] in
            guard !stopping.load(ordering: .acquiring) else { return }
            reload()
        }
    }

    /// From now on no reload runs; returns once the one running, if any, has ended.
    func stop() {
        stopping.store(true, ordering: .releasing)
        queue.sync {}
    }

    /// Reloads now, on the reload queue: logs how it ended before recording it, so that
    /// the log says so by the time `host.status` does.
    private func reload() {
        hooks.started()
        let file = invocation.configFilePath(environment: environment)
        let fileField = file.map(JSONValue.string) ?? .null
        logger.info("reloading the configuration", ["file": fileField])
        let outcome: ReloadOutcome
        do throws(ConfigurationError) {
            let plan = try makePlan()
            try apply(plan, file: file)
            log(plan, file: file)
            outcome = ReloadOutcome(finishedAt: Date(), file: file, result: .applied(plan.applied))
            record.record(outcome, restartNeeded: plan.restartNeeded)
        } catch {
            logger.error("configuration reload refused; the settings in force stay: \(error)",
                         ["file": fileField, "error": .string(error.description)])
            outcome = ReloadOutcome(finishedAt: Date(), file: file, result: .refused(reason: error.description))
            record.record(outcome)
        }
        hooks.finished(outcome)
    }

    /// The configuration the invocation makes now, resolved, and what it takes to put it in force.
    private func makePlan() throws(ConfigurationError) -> ReloadPlan {
        let proposed = try ResolvedConfiguration(invocation.configuration(environment: environment), environment: environment)
        return ReloadPlan(from: inForce.withLock { $0 }, to: proposed)
    }

    /// Puts `plan` in force: the router first, the one part that can still refuse it (an
    /// endpoint named like one attached at run time), then every other part, which cannot.
    private func apply(_ plan: ReloadPlan, file: String?) throws(ConfigurationError) {
        do {
            try router.reconfigure(plan.routerChange)
        } catch {
            throw ConfigurationError(source: file ?? "configuration", message: Self.explain(error))
        }
        let configuration = plan.effective.configuration
        live.replace(with: configuration)
        logger.level = configuration.logLevel
        server.update(limits: JSONRPCServerLimits(
            configuration: configuration, maximumConnections: configuration.maximumConnections ?? defaultMaximumConnections))
        http?.update(limits: configuration.httpLimits)
        http?.update(tls: plan.effective.httpTLS)
        var limits = InvocationLimits()
        limits.maximumOutputBytes = configuration.maximumOutputBytes
        let workersBefore = runner.process.settings
        runner.process.update(settings: configuration.processIsolation, limits: limits)
        runner.inProcess.update(limits: limits)
        plan.effective.withdrawKeysFromEnvironment()
        inForce.withLock { $0 = plan.effective }
        if runner.process.settings != workersBefore {
            prewarm()
        }
    }

    /// Why the router refused the new endpoints, in the config file's terms.
    private static func explain(_ error: RoutingError) -> String {
        switch error {
        case let .duplicateName(name):
            "the endpoint name \"\(name)\" is taken by an endpoint attached with `skillctl inference attach`: "
                + "detach it (`skillctl inference detach \(name)`), or give the endpoint in the file another `name`"
        case .unknownEndpoint, .invalid:
            "the inference router refused the new endpoints: \(error)"
        }
    }

    /// Logs what the reload applied, and warns of what waits for a restart.
    private func log(_ plan: ReloadPlan, file: String?) {
        let fileField = file.map(JSONValue.string) ?? .null
        if plan.applied.isEmpty {
            logger.info("configuration reloaded: nothing changed", ["file": fileField])
        } else {
            logger.info("configuration reloaded: " + plan.applied.map(\.description).joined(separator: "; "), [
                "file": fileField, "changes": .array(plan.applied.map(Self.json)),
            ])
        }
        if http != nil, let tls = plan.effective.httpTLS {
            logger.info("the HTTP API's certificate and key were read again; connections accepted from now on use them",
                        tls.logFields.merging(["file": fileField]) { $1 })
            tls.warnIfExpired(logger)
        }
        if !plan.restartNeeded.isEmpty {
            logger.warning("the config file changes settings that only a restart applies; their running values stay until "
                + "skillhostd restarts: " + plan.restartNeeded.map(\.description).joined(separator: "; "), [
                "file": fileField, "restart_needed": .array(plan.restartNeeded.map(Self.json)),
            ])
        }
    }

    /// `{"setting", "old", "new"}`.
    private static func json(_ change: ConfigurationChange) -> JSONValue {
        [
            "setting": .string(change.setting), "old": change.old.map(JSONValue.string) ?? .null,
            "new": change.new.map(JSONValue.string) ?? .null,
        ]
    }
}

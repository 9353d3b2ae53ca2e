import InferenceDriver
import JSON
import JSONRPC
import Logging
import Registry
import SkillDaemon
import SkillRuntime
import SkillhostProtocol

/// The methods of docs/PROTOCOL.md: the JSON-RPC face of the registry and the run service,
/// one handler per declared method.
public final class SkillHostService: JSONRPCMethodHandler {
    private let handlers: RequestHandlers
    private let metrics: DaemonMetrics

    /// Creates the service; `batches` runs the batches that `batches.start` records,
    /// `scheduler` fires the schedules that `schedules.add` records, and `inference` routes
    /// the runs' inference calls, its endpoints shown and changed by `inference.*`, which
    /// read API keys from `environment` (the daemon's as it started); the methods read the
    /// settings in force from `configuration`; `host.status` shows `sandbox` and `reloads`, and
    /// `host.metrics` shows `metrics`, where every call is counted; `tokens.*` log to `logger`
    /// by token name.
    public init(registry: Registry, runs: RunService, runner: IsolatingRunner, batches: BatchRunner, scheduler: Scheduler,
                inference: InferenceRouter, environment: [String: String], configuration: LiveConfiguration,
                sandbox: SandboxStatus = SandboxStatus(mode: "off", layers: []), reloads: ReloadRecord = ReloadRecord(),
                metrics: DaemonMetrics = DaemonMetrics(), logger: Logger) {
        self.metrics = metrics
        var handlers = RequestHandlers()
        HostMethods(registry: registry, runs: runs, runner: runner, inference: inference, configuration: configuration,
                    sandbox: sandbox, reloads: reloads, metrics: metrics)
            .register(in: &handlers)
        SkillMethods(registry: registry, runs: runs, runner: runner, configuration: configuration).register(in: &handlers)
        SkillLifecycleMethods(registry: registry, runs: runs).register(in: &handlers)
        RunMethods(registry: registry, runs: runs).register(in: &handlers)
        BatchMethods(registry: registry, runs: runs, batches: batches).register(in: &handlers)
        ScheduleMethods(registry: registry, runs: runs, scheduler: scheduler).register(in: &handlers)
        InferenceMethods(router: inference, configuration: configuration, environment: environment, logger: logger)
            .register(in: &handlers)
        TokenMethods(registry: registry, logger: logger).register(in: &handlers)
        self.handlers = handlers
    }

    /// The declared methods that have no handler: none, unless a method was declared and
    /// not implemented.
    package var unhandledRequests: [any SkillhostRequest.Type] { handlers.unhandledRequests }

    public func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
        let isDeclared = SkillhostMessages.request(named: call.method) != nil
        do {
            let result = try await handlers.handle(call)
            metrics.recordCall(method: call.method, isDeclared: isDeclared, errorCode: nil)
            return result
        } catch {
            metrics.recordCall(method: call.method, isDeclared: isDeclared, errorCode: error.code)
            throw error
        }
    }
}

import InferenceDriver
import Metrics
import ProcessIsolation
import Registry
import SkillhostModel

/// skillhostd's metrics, in Prometheus's terms (`host.metrics`, docs/PROTOCOL.md): what the
/// runs, batches, schedules, workers, inference and calls did, and the process itself.
/// Every label takes its values from a bounded set (installed skills, statuses, models,
/// endpoints, declared methods, error codes), never a run id or a message. Recording is
/// lock-free but for the lookup of a label set's metric (``MetricFamily``); nothing here
/// serialises runs.
public final class DaemonMetrics: Sendable {
    /// The families, in the order a scrape shows them.
    public let registry = MetricsRegistry()
    private let runs: MetricFamily<Counter>
    private let runDurations: MetricFamily<Histogram>
    private let tokens: MetricFamily<Counter>
    private let batchItems: MetricFamily<Counter>
    private let scheduleFires: MetricFamily<Counter>
    private let rpcRequests: MetricFamily<Counter>
    private let httpRequests: MetricFamily<Counter>
    private let httpDurations: MetricFamily<Histogram>
    private let inferenceRequests: MetricFamily<Counter>
    private let inferenceDurations: MetricFamily<Histogram>

    /// The families recorded as things happen, and the process's own; ``watch(runs:runner:inference:)``
    /// adds those read at scrape time.
    public init() {
        runs = registry.register(MetricFamily(
            counter: "skillhost_runs_total", help: "Runs that ended, by skill and final status.", labelNames: ["skill", "status"]))
        runDurations = registry.register(MetricFamily(
            histogram: "skillhost_run_duration_seconds", help: "How long the runs that ended ran, by skill.",
            labelNames: ["skill"], upperBounds: Histogram.durationBounds))
        tokens = registry.register(MetricFamily(
            counter: "skillhost_tokens_total", help: "Tokens the runs' inference calls used, by model and kind (prompt, completion).",
            labelNames: ["model", "kind"]))
        inferenceRequests = registry.register(MetricFamily(
            counter: "skillhost_inference_requests_total",
            help: "Inference attempts sent to endpoints, retries included, by model, endpoint and outcome.",
            labelNames: ["model", "endpoint", "outcome"]))
        inferenceDurations = registry.register(MetricFamily(
            histogram: "skillhost_inference_request_duration_seconds",
            help: "How long the inference attempts took, by model and endpoint.",
            labelNames: ["model", "endpoint"], upperBounds: Histogram.durationBounds))
        batchItems = registry.register(MetricFamily(
            counter: "skillhost_batch_item_attempts_total",
            help: "Attempts at batch items, by how they left the item (succeeded, failed, retried, cancelled).",
            labelNames: ["status"]))
        scheduleFires = registry.register(MetricFamily(
            counter: "skillhost_schedule_fires_total", help: "Schedule fire times, by outcome (started, skipped, missed).",
            labelNames: ["outcome"]))
        rpcRequests = registry.register(MetricFamily(
            counter: "skillhost_rpc_requests_total",
            help: "JSON-RPC calls answered, by method and code (ok, or the JSON-RPC error code).",
            labelNames: ["method", "code"]))
        httpRequests = registry.register(MetricFamily(
            counter: "skillhost_http_requests_total",
            help: "HTTP requests answered, by route (its path pattern, or other), method and status code.",
            labelNames: ["route", "method", "code"]))
        httpDurations = registry.register(MetricFamily(
            histogram: "skillhost_http_request_duration_seconds",
            help: "How long the HTTP requests took until their answer began, by route.",
            labelNames: ["route"], upperBounds: Histogram.durationBounds))
        registry.register(ProcessMetrics())
    }

    /// Adds the families read at scrape time: the runs in flight, the workers, the
    /// endpoints' health. Call it once, with the daemon's own services.
    public func watch(runs service: RunService, runner: IsolatingRunner, inference: InferenceRouter) {
        registry.register(CallbackMetric(name: "skillhost_runs_in_flight", help: "Runs started and not yet ended.") {
            Double(service.activeRuns)
        })
        let process = runner.process
        registry.register(CallbackMetric(name: "skillhost_workers", help: "Worker processes, by state (idle, busy, starting).",
                                         labelNames: ["state"]) {
            let counts = process.workerCounts
            return [(["idle"], Double(counts.idle)), (["busy"], Double(counts.busy)), (["starting"], Double(counts.starting))]
        })
        registry.register(CallbackMetric(name: "skillhost_workers_spawned_total", help: "Worker processes started.",
                                         kind: .counter) { Double(process.workerCounts.spawned) })
        registry.register(CallbackMetric(name: "skillhost_workers_crashed_total",
                                         help: "Worker processes that died on their own, in a run or idle.",
                                         kind: .counter) { Double(process.workerCounts.crashed) })
        registry.register(CallbackMetric(name: "skillhost_inference_endpoint_healthy",
                                         help: "Whether the router sends requests to the endpoint (1) or not (0).",
                                         labelNames: ["model", "endpoint"]) {
            inference.status().map { ([$0.model, $0.name], $0.healthy ? 1 : 0) }
        })
    }

    /// Counts a run that ended as `run`, after `duration`.
    func recordRun(_ run: RunRecord, duration: Duration, usage: RunUsage) {
        runs.labels(run.skillName, run.status.rawValue).increment()
        runDurations.labels(run.skillName).observe(duration.seconds)
        guard usage.promptTokens > 0 || usage.completionTokens > 0 else { return }
        let model = run.model ?? "none"
        tokens.labels(model, "prompt").increment(by: usage.promptTokens)
        tokens.labels(model, "completion").increment(by: usage.completionTokens)
    }

    /// Counts an inference attempt that ended (``InferenceRouter``'s observer).
    public func record(_ attempt: InferenceAttempt) {
        inferenceRequests.labels(attempt.model, attempt.endpoint, attempt.outcome.rawValue).increment()
        inferenceDurations.labels(attempt.model, attempt.endpoint).observe(attempt.duration.seconds)
    }

    /// Counts an attempt at a batch item by how it left the item.
    func recordBatchAttempt(_ outcome: BatchAttemptOutcome) {
        let status = switch outcome {
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .retry: "retried"
        case .cancelled: "cancelled"
        }
        batchItems.labels(status).increment()
    }

    /// Counts recorded schedule fires by outcome.
    func recordFires(_ fires: [ScheduleFire]) {
        for fire in fires { scheduleFires.labels(fire.outcome.rawValue).increment() }
    }

    /// Counts an HTTP request to `route` (a route's path pattern, or `other` for a path no
    /// route has, so that clients cannot add series) by `method` and `status`, and how long
    /// it took until its answer began.
    public func recordHTTPRequest(route: String, method: String, status: Int, duration: Duration) {
        let method = ["GET", "HEAD", "POST"].contains(method) ? method : "other"
        httpRequests.labels(route, method, String(status)).increment()
        httpDurations.labels(route).observe(duration.seconds)
    }

    /// Counts a JSON-RPC call to `method` answered with the error `code`, or nil for a
    /// result; a method that is not declared counts as `other`, so callers cannot add series.
    public func recordCall(method: String, isDeclared: Bool, errorCode: Int?) {
        rpcRequests.labels(isDeclared ? method : "other", errorCode.map(String.init) ?? "ok").increment()
    }
}

extension Duration {
    /// The duration in seconds, as Prometheus counts time.
    fileprivate var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// What the router tracks for one attached endpoint: its backend, health and counters.
struct EndpointRecord {
    /// Identifies this attachment; a name detached and attached again gets a new one, so
    /// that late results of the old attachment cannot touch the new one.
    let id: UInt64
    /// The endpoint as attached.
    let configuration: RoutedEndpoint
    /// Sends its requests.
    let backend: any InferenceBackend
    /// The base URL safe to show (``RoutedEndpoint/displayURL``), computed once.
    let displayURL: String

    /// Whether requests are routed here by preference; see ``EndpointStatus/healthy``.
    /// An endpoint starts healthy: unknown health never keeps requests away.
    var healthy = true
    /// Requests in flight.
    var outstanding = 0
    /// Attempts sent.
    var requests = 0
    /// Attempts that failed, cancellations not counted.
    var failures = 0
    /// Failed attempts and probes since the last success.
    var consecutiveFailures = 0
    /// The description of the last failure.
    var lastError: String?
    /// When the last attempt or probe failed, to find the endpoint that failed longest ago.
    var lastFailure: ContinuousClock.Instant?
    /// The router's selection counter when this endpoint was last chosen: among equally
    /// loaded endpoints the one chosen longest ago goes first, which spreads load round-robin.
    var lastSelection: UInt64 = 0
    /// Latencies of recent successes.
    var latencies = LatencyWindow()

    /// Creates the record of a newly attached endpoint.
    init(id: UInt64, configuration: RoutedEndpoint, backend: any InferenceBackend) {
        self.id = id
        self.configuration = configuration
        self.backend = backend
        self.displayURL = configuration.displayURL
    }

    /// Whether another request may be sent now.
    var hasFreeSlot: Bool { outstanding < configuration.maximumConcurrentRequests }

    /// Records a successful request: the endpoint is healthy.
    mutating func recordSuccess(latency: Duration) {
        healthy = true
        consecutiveFailures = 0
        latencies.record(latency)
    }

    /// Records a failed request. Cancellation is no fault of the endpoint and is ignored;
    /// a connection error or an HTTP 5xx also takes the endpoint out of preference.
    mutating func recordFailure(_ error: InferenceError, at instant: ContinuousClock.Instant) {
        guard error != .cancelled else { return }
        failures += 1
        noteFailure(error, at: instant)
        if error.showsEndpointDown { healthy = false }
    }

    /// Records the result of a health probe; a cancelled probe (the router shutting down)
    /// says nothing about the endpoint and is ignored.
    mutating func recordProbe(_ result: Result<Void, InferenceError>, at instant: ContinuousClock.Instant) {
        switch result {
        case .success:
            healthy = true
            consecutiveFailures = 0
        case .failure(.cancelled):
            break
        case let .failure(error):
            healthy = false
            noteFailure(error, at: instant)
        }
    }

    /// The snapshot shown to users.
    var status: EndpointStatus {
        EndpointStatus(
            name: configuration.name,
            model: configuration.model,
            url: displayURL,
            servedModel: configuration.endpoint.defaultModel,
            apiKeySource: configuration.apiKeySource,
            healthy: healthy,
            outstanding: outstanding,
            maximumConcurrentRequests: configuration.maximumConcurrentRequests,
            requests: requests,
            failures: failures,
            consecutiveFailures: consecutiveFailures,
            lastError: lastError,
            latencyP50: latencies.percentile(0.5),
            latencyP99: latencies.percentile(0.99))
    }

    /// Updates what every failure, of a request or a probe, changes.
    private mutating func noteFailure(_ error: InferenceError, at instant: ContinuousClock.Instant) {
        consecutiveFailures += 1
        lastError = error.description
        lastFailure = instant
    }
}

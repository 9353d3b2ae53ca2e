/// A snapshot of one endpoint's configuration, health and load, for display
/// (``InferenceRouter/status()``). Holds no API key, only where it comes from.
public struct EndpointStatus: Sendable, Equatable {
    /// The endpoint's unique name.
    public var name: String
    /// The logical model name requests use to reach it.
    public var model: String
    /// The server's base URL, without any user name, password or query.
    public var url: String
    /// The model name sent to the server (``InferenceEndpoint/defaultModel``); `nil` when
    /// the server uses whatever it has loaded.
    public var servedModel: String?
    /// Where the API key comes from (such as `env:OPENAI_API_KEY`), when one is used.
    public var apiKeySource: String?
    /// Whether the router currently sends requests here: false after a connection error,
    /// an HTTP 5xx or a failed health probe, true again after a success.
    public var healthy: Bool
    /// Requests in flight on the endpoint now.
    public var outstanding: Int
    /// The most requests it is sent at once.
    public var maximumConcurrentRequests: Int
    /// Attempts sent to it since it was attached, retries included.
    public var requests: Int
    /// Attempts that failed (cancelled ones not counted).
    public var failures: Int
    /// Failed attempts and probes since its last success.
    public var consecutiveFailures: Int
    /// The description of its last failure (an ``InferenceError``, which never holds a key).
    public var lastError: String?
    /// The median latency of its last successful requests (about 200), when it had any.
    public var latencyP50: Duration?
    /// The 99th percentile latency of the same requests.
    public var latencyP99: Duration?

    /// Creates a snapshot.
    public init(
        name: String,
        model: String,
        url: String,
        servedModel: String?,
        apiKeySource: String?,
        healthy: Bool,
        outstanding: Int,
        maximumConcurrentRequests: Int,
        requests: Int,
        failures: Int,
        consecutiveFailures: Int,
        lastError: String?,
        latencyP50: Duration?,
        latencyP99: Duration?
    ) {
        self.name = name
        self.model = model
        self.url = url
        self.servedModel = servedModel
        self.apiKeySource = apiKeySource
        self.healthy = healthy
        self.outstanding = outstanding
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.requests = requests
        self.failures = failures
        self.consecutiveFailures = consecutiveFailures
        self.lastError = lastError
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
    }
}

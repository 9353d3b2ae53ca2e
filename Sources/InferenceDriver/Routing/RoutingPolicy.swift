/// How ``InferenceRouter`` retries failed attempts and how often it probes its endpoints.
///
/// Out-of-range values are not refused but brought into range when the router is created:
/// fewer than 1 attempt counts as 1, negative delays as zero, and a health check interval
/// below 1 ms as 1 ms.
public struct RoutingPolicy: Sendable, Equatable {
    /// The most attempts one request makes, the first included; 1 means no retry.
    /// Default 3.
    public var maximumAttempts: Int
    /// The backoff before the first retry; it doubles with each further retry, up to
    /// ``maximumRetryDelay``. The wait is drawn uniformly between zero and that bound
    /// ("full jitter"), so that clients failing together do not retry together.
    /// Default 100 ms.
    public var baseRetryDelay: Duration
    /// The most the backoff grows to. Default 5 s.
    public var maximumRetryDelay: Duration
    /// The longest `Retry-After` of an HTTP 429 answer the router waits for; a longer
    /// one fails the request at once with ``InferenceError/rateLimited(endpoint:retryAfter:bodyExcerpt:)``,
    /// whose message gives the wait the server asked for. Default 30 s.
    public var maximumRetryAfter: Duration
    /// How often every endpoint is probed once ``InferenceRouter/startHealthChecks()``
    /// has been called; also the longest a probe may take before it counts as failed
    /// (unless the endpoint's connect timeout is longer). Default 5 s.
    public var healthCheckInterval: Duration

    /// Creates a policy; every parameter has the default documented on its property.
    public init(
        maximumAttempts: Int = 3,
        baseRetryDelay: Duration = .milliseconds(100),
        maximumRetryDelay: Duration = .seconds(5),
        maximumRetryAfter: Duration = .seconds(30),
        healthCheckInterval: Duration = .seconds(5)
    ) {
        self.maximumAttempts = maximumAttempts
        self.baseRetryDelay = baseRetryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.maximumRetryAfter = maximumRetryAfter
        self.healthCheckInterval = healthCheckInterval
    }

    /// The policy with every value brought into range, as documented on the type.
    var normalized: RoutingPolicy {
        RoutingPolicy(
            maximumAttempts: max(1, maximumAttempts),
            baseRetryDelay: max(.zero, baseRetryDelay),
            maximumRetryDelay: max(.zero, maximumRetryDelay),
            maximumRetryAfter: max(.zero, maximumRetryAfter),
            healthCheckInterval: max(.milliseconds(1), healthCheckInterval))
    }

    /// How long to wait before retry number `retry` (1 for the first retry) after an
    /// attempt failed with `error`, or `nil` when the server asked for a longer wait than
    /// ``maximumRetryAfter`` and the request should fail instead.
    ///
    /// The backoff is `jitter × min(maximumRetryDelay, baseRetryDelay × 2^(retry − 1))`;
    /// for HTTP 429 it is at least the server's `Retry-After`.
    ///
    /// - Parameter jitter: where in the backoff range to land, from 0 to 1; the router
    ///   draws it at random.
    func delay(beforeRetry retry: Int, after error: InferenceError, jitter: Double) -> Duration? {
        var ceiling = baseRetryDelay
        var doublings = retry - 1
        while doublings > 0, ceiling < maximumRetryDelay {
            ceiling = ceiling * 2
            doublings -= 1
        }
        let backoff = min(ceiling, maximumRetryDelay) * min(max(jitter, 0), 1)
        guard case let .rateLimited(_, retryAfter?, _) = error else { return backoff }
        guard retryAfter <= maximumRetryAfter else { return nil }
        return max(backoff, retryAfter)
    }
}

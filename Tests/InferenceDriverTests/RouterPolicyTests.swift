import Testing
@testable import InferenceDriver

/// The arithmetic behind retries and status: backoff bounds and latency percentiles.
@Suite("Inference router: backoff and latency")
struct RouterPolicyTests {
    private let refused = InferenceError.connectionFailed(endpoint: "http://a", reason: "refused")

    @Test func backoffDoublesUpToTheMaximumAndJittersBelowIt() {
        let policy = RoutingPolicy(baseRetryDelay: .milliseconds(100), maximumRetryDelay: .milliseconds(1000))
        #expect(policy.delay(beforeRetry: 1, after: refused, jitter: 1) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 2, after: refused, jitter: 1) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 4, after: refused, jitter: 1) == .milliseconds(800))
        #expect(policy.delay(beforeRetry: 5, after: refused, jitter: 1) == .milliseconds(1000))
        #expect(policy.delay(beforeRetry: 1_000_000, after: refused, jitter: 1) == .milliseconds(1000))
        #expect(policy.delay(beforeRetry: 3, after: refused, jitter: 0.5) == .milliseconds(200))
        #expect(policy.delay(beforeRetry: 3, after: refused, jitter: 0) == .zero)
    }

    @Test func rateLimitingWaitsAtLeastRetryAfterUpToTheMaximum() {
        let policy = RoutingPolicy(baseRetryDelay: .milliseconds(100), maximumRetryAfter: .seconds(30))
        func limited(_ retryAfter: Duration?) -> InferenceError {
            .rateLimited(endpoint: "http://a", retryAfter: retryAfter, bodyExcerpt: "")
        }
        #expect(policy.delay(beforeRetry: 1, after: limited(.seconds(2)), jitter: 1) == .seconds(2))
        #expect(policy.delay(beforeRetry: 1, after: limited(.milliseconds(10)), jitter: 1) == .milliseconds(100))
        #expect(policy.delay(beforeRetry: 1, after: limited(nil), jitter: 0.5) == .milliseconds(50))
        #expect(policy.delay(beforeRetry: 1, after: limited(.seconds(30)), jitter: 0) == .seconds(30))
        #expect(policy.delay(beforeRetry: 1, after: limited(.seconds(31)), jitter: 0) == nil)
    }

    @Test func outOfRangeValuesAreBroughtIntoRange() {
        let policy = RoutingPolicy(maximumAttempts: 0, baseRetryDelay: .seconds(-1), maximumRetryDelay: .seconds(-1),
                                   maximumRetryAfter: .seconds(-1), healthCheckInterval: .zero).normalized
        #expect(policy == RoutingPolicy(maximumAttempts: 1, baseRetryDelay: .zero, maximumRetryDelay: .zero,
                                        maximumRetryAfter: .zero, healthCheckInterval: .milliseconds(1)))
    }

    @Test func percentilesCoverTheLatestWindow() {
        var window = LatencyWindow()
        #expect(window.percentile(0.5) == nil)
        for milliseconds in 1...100 { window.record(.milliseconds(milliseconds)) }
        #expect(window.percentile(0.5) == .milliseconds(50))
        #expect(window.percentile(0.99) == .milliseconds(99))
        for _ in 0..<LatencyWindow.capacity { window.record(.seconds(1)) }
        #expect(window.percentile(0.5) == .seconds(1))
        #expect(window.percentile(0.99) == .seconds(1))
    }
}

import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// Failover, retries, backoff and Retry-After, and what is never retried.
@Suite("Inference router: failures and retries", .timeLimit(.minutes(1)))
struct RouterRetryTests {
    private let refused = InferenceError.connectionFailed(endpoint: "http://a.invalid:8080/v1/completions", reason: "connection refused")
    private let unavailable = InferenceError.httpStatus(endpoint: "http://a.invalid:8080/v1/completions", status: 503, bodyExcerpt: "loading")

    @Test func aConnectionErrorFailsOverToAnotherEndpoint() async throws {
        let fixture = try RouterFixture(["a", "b"], scripts: ["a": [.fail(refused)]])
        #expect(try await fixture.router.complete(prompt("p")).text == "from b")
        #expect(fixture.log.calls.map(\.backend) == ["a", "b"])
        let a = try #require(fixture.status(of: "a"))
        #expect(!a.healthy)
        #expect(a.failures == 1)
        #expect(a.lastError == refused.description)

        // a stays out of routing while b is healthy.
        for _ in 0..<3 { _ = try await fixture.router.complete(prompt("q")) }
        #expect(fixture.log.calls(to: "a").count == 1)
    }

    @Test func everyAttemptFailingEndsInRetriesExhausted() async throws {
        let fixture = try RouterFixture(["a", "b"])
        fixture["a"].setFallback(.fail(unavailable))
        fixture["b"].setFallback(.fail(unavailable))
        let result = await outcome(of: prompt("p"), on: fixture.router)
        #expect(result.thrownError == .retriesExhausted(model: "gemma", attempts: 3, lastError: unavailable))
        #expect(fixture.log.calls.count == 3)
        #expect(Set(fixture.log.calls.prefix(2).map(\.backend)) == ["a", "b"], "the retry goes to the untried endpoint")
        #expect(fixture.router.status().map(\.healthy) == [false, false])
    }

    @Test func withOneAttemptTheErrorItselfIsThrown() async throws {
        let fixture = try RouterFixture(["a", "b"], policy: RoutingPolicy(maximumAttempts: 1))
        fixture["a"].setFallback(.fail(unavailable))
        #expect(await outcome(of: prompt("p"), on: fixture.router).thrownError == unavailable)
        #expect(fixture.log.calls.count == 1)
    }

    @Test(arguments: [
        InferenceError.timedOut(endpoint: "http://a.invalid:8080", after: .seconds(2)),
        .malformedResponse(endpoint: "http://a.invalid:8080", reason: "not JSON"),
        .httpStatus(endpoint: "http://a.invalid:8080", status: 400, bodyExcerpt: "bad"),
        .noChatTemplate(endpoint: "http://a.invalid:8080", model: "gemma"),
    ])
    func nonRetryableErrorsAreThrownAtOnce(error: InferenceError) async throws {
        let fixture = try RouterFixture(["a", "b"], scripts: ["a": [.fail(error)]])
        #expect(await outcome(of: prompt("p"), on: fixture.router).thrownError == error)
        #expect(fixture.log.calls.count == 1)
        #expect(fixture.status(of: "a")?.healthy == true)
    }

    @Test func retryAfterIsWaitedForAndRateLimitingDoesNotMarkUnhealthy() async throws {
        let limited = InferenceError.rateLimited(endpoint: "http://a.invalid:8080", retryAfter: .milliseconds(200), bodyExcerpt: "")
        let fixture = try RouterFixture(["a"], scripts: ["a": [.fail(limited)]])
        #expect(try await fixture.router.complete(prompt("p")).text == "from a")
        let calls = fixture.log.calls
        #expect(calls.count == 2)
        #expect(calls[1].at - calls[0].at >= .milliseconds(200))
        let status = try #require(fixture.status(of: "a"))
        #expect(status.healthy)
        #expect(status.failures == 1)
        #expect(status.consecutiveFailures == 0)
    }

    @Test func aRetryAfterLongerThanTheMaximumFailsAtOnce() async throws {
        let limited = InferenceError.rateLimited(endpoint: "http://a.invalid:8080", retryAfter: .seconds(60), bodyExcerpt: "slow down")
        let fixture = try RouterFixture(["a", "b"])
        fixture["a"].setFallback(.fail(limited))
        fixture["b"].setFallback(.fail(limited))
        let result = await outcome(of: prompt("p"), on: fixture.router)
        #expect(result.thrownError == limited)
        #expect(result.thrownError?.description.contains("60") == true, "the message says how long the server asked to wait")
        #expect(fixture.log.calls.count == 1)
    }

    @Test func aRateLimitedRetryPrefersAnUntriedEndpoint() async throws {
        let limited = InferenceError.rateLimited(endpoint: "http://a.invalid:8080", retryAfter: nil, bodyExcerpt: "")
        let fixture = try RouterFixture(["a", "b"], scripts: ["a": [.fail(limited)]])
        #expect(try await fixture.router.complete(prompt("p")).text == "from b")
        #expect(fixture.log.calls.map(\.backend) == ["a", "b"])
        #expect(fixture.status(of: "a")?.healthy == true)
    }

    @Test func nothingIsRetriedOnceAChunkWasDelivered() async throws {
        let interrupted = InferenceError.streamInterrupted(endpoint: "http://a.invalid:8080", deliveredChunks: 2, reason: "connection reset")
        let fixture = try RouterFixture(["a", "b"], scripts: ["a": [.stream(["Hel", "lo"], then: interrupted)]])
        let collector = ChunkCollector()
        let result = await outcome(of: prompt("p"), on: fixture.router, onChunk: collector.onChunk)
        #expect(result.thrownError == interrupted)
        #expect(collector.received == ["Hel", "lo"])
        #expect(fixture.log.calls.map(\.backend) == ["a"])
    }

    @Test func aRetryableErrorAfterAChunkBecomesAnInterruptedStream() async throws {
        let fixture = try RouterFixture(["a", "b"], scripts: ["a": [.stream(["Hel"], then: refused)]])
        let collector = ChunkCollector()
        let result = await outcome(of: prompt("p"), on: fixture.router, onChunk: collector.onChunk)
        guard case let .streamInterrupted(endpoint, deliveredChunks, reason)? = result.thrownError else {
            Issue.record("expected streamInterrupted, got \(result)")
            return
        }
        #expect(endpoint == "http://a.invalid:8080")
        #expect(deliveredChunks == 1)
        #expect(reason.contains("connection refused"))
        #expect(collector.received == ["Hel"])
        #expect(fixture.log.calls.count == 1)
    }

    @Test func aStreamThatCompletesDeliversEveryChunk() async throws {
        let fixture = try RouterFixture(["a"], scripts: ["a": [.stream(["a", "b", "c"], then: nil)]])
        let collector = ChunkCollector()
        let completion = try await fixture.router.complete(prompt("p"), onChunk: collector.onChunk)
        #expect(completion.text == "abc")
        #expect(collector.received == ["a", "b", "c"])
    }

    @Test func cancellationDuringBackoffEndsTheWaitAtOnce() async throws {
        let limited = InferenceError.rateLimited(endpoint: "http://a.invalid:8080", retryAfter: .seconds(30), bodyExcerpt: "")
        let fixture = try RouterFixture(["a"], policy: RoutingPolicy(maximumRetryAfter: .seconds(60)),
                                        scripts: ["a": [.fail(limited)]])
        let started = ContinuousClock.now
        let task = start(prompt("p"), on: fixture.router)
        #expect(await eventually { fixture.status(of: "a")?.failures == 1 })
        task.cancel()
        #expect(await task.value.thrownError == .cancelled)
        #expect(ContinuousClock.now - started < .seconds(30), "the backoff was not waited out")
        #expect(fixture.log.calls.count == 1)
    }
}

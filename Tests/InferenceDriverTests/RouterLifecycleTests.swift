import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// Cancellation while queued, health checks, attaching and detaching, and secrets.
@Suite("Inference router: queueing, health and endpoints", .timeLimit(.minutes(1)))
struct RouterLifecycleTests {
    private static let secretKey = "sk-test-SECRET-7c41d2"

    @Test func aCancelledWaiterLeavesTheQueue() async throws {
        let fixture = try RouterFixture(["a"], limit: 1)
        fixture["a"].setFallback(.hold)
        let first = start(prompt("first"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        let queued = start(prompt("queued"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 1 })

        queued.cancel()
        #expect(await queued.value.thrownError == .cancelled)
        #expect(fixture.router.waitingRequestCount == 0)

        fixture["a"].release()
        #expect(try await first.value.get().text == "from a")
        fixture["a"].setFallback(.answer("again"))
        #expect(try await fixture.router.complete(prompt("after")).text == "again", "the slot was not leaked")
        #expect(fixture.log.calls.map(\.request.input) == [.text("first"), .text("after")])
        let status = try #require(fixture.status(of: "a"))
        #expect(status.outstanding == 0)
        #expect(status.requests == 2)
        #expect(status.failures == 0)
    }

    @Test func aCancelledRequestInFlightIsNotAFailureOfTheEndpoint() async throws {
        let fixture = try RouterFixture(["a", "b"])
        fixture["a"].setFallback(.hold)
        let task = start(prompt("p"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        task.cancel()
        #expect(await task.value.thrownError == .cancelled)
        #expect(fixture.log.calls.count == 1, "a cancelled request is not retried")
        let status = try #require(fixture.status(of: "a"))
        #expect(status.healthy && status.failures == 0 && status.outstanding == 0)
    }

    @Test func healthProbesTakeAnEndpointOutAndBringItBack() async throws {
        let fixture = try RouterFixture(["a", "b"])
        let down = InferenceError.connectionFailed(endpoint: "http://a.invalid:8080/v1/models", reason: "connection refused")
        fixture["a"].setHealth(.failure(down))
        fixture.router.startHealthChecks()
        defer { fixture.router.shutdown() }
        #expect(await eventually { fixture.status(of: "a")?.healthy == false })
        let a = try #require(fixture.status(of: "a"))
        #expect(a.lastError == down.description)
        #expect(a.consecutiveFailures >= 1)
        #expect(a.failures == 0, "failures count requests, not probes")

        for _ in 0..<3 { _ = try await fixture.router.complete(prompt("p")) }
        #expect(fixture.log.calls(to: "a").isEmpty)

        fixture["a"].setHealth(.success(()))
        #expect(await eventually { fixture.status(of: "a")?.healthy == true })
        #expect(fixture.status(of: "a")?.consecutiveFailures == 0)
        _ = try await fixture.router.complete(prompt("p"))
        _ = try await fixture.router.complete(prompt("p"))
        #expect(fixture.log.calls(to: "a").count == 1)
    }

    @Test func aProbeThatDoesNotAnswerInTimeCountsAsFailed() async throws {
        let backend = FakeBackend("slow", log: CallLog())
        backend.setProbeHangs(true)
        let router = InferenceRouter(defaultModel: "gemma", policy: RoutingPolicy(healthCheckInterval: .milliseconds(20))) { _ in
            backend
        }
        try router.attach(RoutedEndpoint(
            name: "slow", model: "gemma", endpoint: InferenceEndpoint(baseURL: backend.url, connectTimeout: .milliseconds(50))))
        router.startHealthChecks()
        defer { router.shutdown() }
        #expect(await eventually { router.status().first?.healthy == false })
        #expect(router.status().first?.lastError?.contains("did not answer within 0.05 seconds") == true)
    }

    @Test func shutdownStopsProbing() async throws {
        let fixture = try RouterFixture(["a"])
        fixture.router.startHealthChecks()
        fixture.router.startHealthChecks()
        #expect(await eventually { fixture["a"].probes >= 2 })
        fixture.router.shutdown()
        fixture.router.shutdown()
        let afterShutdown = fixture["a"].probes
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture["a"].probes <= afterShutdown + 1, "at most a probe already under way")
        fixture.router.startHealthChecks()
        try await Task.sleep(for: .milliseconds(100))
        #expect(fixture["a"].probes <= afterShutdown + 1, "a shut-down router does not probe again")
    }

    @Test func detachingTheLastEndpointFailsWaitersButLetsRequestsInFlightFinish() async throws {
        let fixture = try RouterFixture(["a"], limit: 1)
        fixture["a"].setFallback(.hold)
        let inFlight = start(prompt("in flight"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        let waiting = start(prompt("waiting"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 1 })

        let detached = try fixture.router.detach(name: "a")
        #expect(detached.name == "a")
        #expect(await waiting.value.thrownError == .noEndpoints(model: "gemma"))
        #expect(fixture.router.models().isEmpty)
        #expect(fixture.router.status().isEmpty)
        #expect(await outcome(of: prompt("later"), on: fixture.router).thrownError == .noEndpoints(model: "gemma"))

        fixture["a"].release(with: .answer("finished"))
        #expect(try await inFlight.value.get().text == "finished")
        #expect(fixture.log.calls.count == 1)
    }

    @Test func attachingAnEndpointServesWaiters() async throws {
        let fixture = try RouterFixture(["a", "b"], limit: 1)
        let b = try fixture.router.detach(name: "b")
        fixture["a"].setFallback(.hold)
        let inFlight = start(prompt("in flight"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        let waiting = start(prompt("waiting"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 1 })

        try fixture.router.attach(b)
        #expect(try await waiting.value.get().text == "from b")
        fixture["a"].release()
        #expect(try await inFlight.value.get().text == "from a")
    }

    @Test func reconfiguringReplacesAnEndpointWithoutFailingItsModelsWaiters() async throws {
        let fixture = try RouterFixture(["a", "b"], limit: 1)
        let b = try fixture.router.detach(name: "b")
        fixture["a"].setFallback(.hold)
        let inFlight = start(prompt("in flight"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        let waiting = start(prompt("waiting"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 1 })

        // The model's only endpoint is replaced by another: the waiter goes to the new one.
        var replacement = b
        replacement.name = "a"
        let policy = RoutingPolicy(maximumAttempts: 1, healthCheckInterval: .milliseconds(50))
        try fixture.router.reconfigure(RouterChange(detaching: ["a", "gone"], attaching: [replacement],
                                                    defaultModel: "other", policy: policy))
        #expect(try await waiting.value.get().text == "from b")
        #expect(fixture.router.status().map(\.url) == [b.endpoint.baseURL.absoluteString])
        #expect(fixture.router.defaultModel == "other" && fixture.router.policy == policy)
        fixture["a"].release()
        #expect(try await inFlight.value.get().text == "from a", "a request in flight on a detached endpoint finishes there")

        // A name that stays attached is refused, and nothing changes.
        #expect(throws: RoutingError.duplicateName("a")) {
            try fixture.router.reconfigure(RouterChange(detaching: [], attaching: [b, replacement], defaultModel: nil,
                                                        policy: policy))
        }
        #expect(fixture.router.status().count == 1 && fixture.router.defaultModel == "other")
    }

    @Test func attachAndDetachRefuseBadInput() throws {
        let fixture = try RouterFixture(["a"])
        let endpoint = InferenceEndpoint(baseURL: URL(string: "http://c.invalid")!)
        #expect(throws: RoutingError.duplicateName("a")) {
            try fixture.router.attach(RoutedEndpoint(name: "a", model: "gemma", endpoint: endpoint))
        }
        #expect(throws: RoutingError.unknownEndpoint(name: "zz", known: ["a"])) {
            try fixture.router.detach(name: "zz")
        }
        for bad in [
            RoutedEndpoint(name: "", model: "gemma", endpoint: endpoint),
            RoutedEndpoint(name: "two words", model: "gemma", endpoint: endpoint),
            RoutedEndpoint(name: "c", model: "", endpoint: endpoint),
            RoutedEndpoint(name: "c", model: "gemma", endpoint: endpoint, maximumConcurrentRequests: 0),
        ] {
            #expect {
                try fixture.router.attach(bad)
            } throws: { error in
                guard case .invalid = error as? RoutingError else { return false }
                return true
            }
        }
        #expect(fixture.router.status().map(\.name) == ["a"])
        #expect(RoutingError.unknownEndpoint(name: "zz", known: ["b", "a"]).description.contains("attached: a, b"))
    }

    @Test func statusAndErrorsNeverHoldTheKey() async throws {
        let log = CallLog()
        let refused = InferenceError.connectionFailed(endpoint: "http://models.invalid:8080/v1/completions", reason: "connection refused")
        let backend = FakeBackend("models", log: log, fallback: .fail(refused))
        let router = InferenceRouter(defaultModel: "gemma", policy: RoutingPolicy(maximumAttempts: 2, baseRetryDelay: .zero)) { _ in backend }
        // Credentials can also hide in the URL: as user information, or in a query.
        let queryKey = "sk-test-QUERY-0b9e11"
        let url = try #require(URL(string: "http://user:\(Self.secretKey)@models.invalid:8080/v1?api_key=\(queryKey)"))
        let routed = RoutedEndpoint(
            name: "g1", model: "gemma",
            endpoint: InferenceEndpoint(baseURL: url, defaultModel: "gemma-3", apiKey: Self.secretKey),
            maximumConcurrentRequests: 2, apiKeySource: "env:GEMMA_KEY")
        try router.attach(routed)
        let result = await outcome(of: prompt("p"), on: router)
        #expect(result.thrownError == .retriesExhausted(model: "gemma", attempts: 2, lastError: refused))

        let status = try #require(router.status().first)
        #expect(status.url == "http://models.invalid:8080/v1")
        #expect(status.apiKeySource == "env:GEMMA_KEY")
        #expect(status.lastError == refused.description)
        var dumped = ""
        dump(router.status(), to: &dumped)
        for text in [String(describing: router.status()), dumped, String(describing: result)] {
            #expect(!text.contains(Self.secretKey) && !text.contains(queryKey), "\(text)")
        }
        #expect(!String(describing: routed).contains(Self.secretKey))
    }
}

import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// Which endpoint gets a request: least outstanding, round-robin, limits, models.
@Suite("Inference router: routing", .timeLimit(.minutes(1)))
struct RouterRoutingTests {
    @Test func concurrentRequestsSpreadOverTheLeastLoadedEndpoints() async throws {
        let fixture = try RouterFixture(["a", "b"], limit: 4)
        fixture["a"].setFallback(.hold)
        fixture["b"].setFallback(.hold)
        let tasks = (0..<4).map { start(prompt("p\($0)"), on: fixture.router) }
        #expect(await eventually { fixture.log.calls.count == 4 })
        #expect(fixture.log.calls(to: "a").count == 2)
        #expect(fixture.log.calls(to: "b").count == 2)
        #expect(fixture.status(of: "a")?.outstanding == 2)
        #expect(fixture.status(of: "b")?.outstanding == 2)

        // With a's two requests done, the next two go to a, which now has fewer in flight.
        fixture["a"].release()
        fixture["a"].release()
        #expect(await eventually { fixture.status(of: "a")?.outstanding == 0 })
        let more = (4..<6).map { start(prompt("p\($0)"), on: fixture.router) }
        #expect(await eventually { fixture.log.calls.count == 6 })
        #expect(fixture.log.calls(to: "a").count == 4)
        for _ in 0..<2 { fixture["a"].release() }
        for _ in 0..<2 { fixture["b"].release() }
        for task in tasks + more {
            #expect(try await task.value.get().text.hasPrefix("from "))
        }
        #expect(fixture.router.status().map(\.outstanding) == [0, 0])
    }

    @Test func sequentialRequestsTakeTurns() async throws {
        let fixture = try RouterFixture(["a", "b", "c"])
        for index in 0..<6 {
            _ = try await fixture.router.complete(prompt("p\(index)"))
        }
        #expect(fixture.log.calls.map(\.backend) == ["a", "b", "c", "a", "b", "c"])
        #expect(fixture.router.status().map(\.requests) == [2, 2, 2])
    }

    @Test func requestsBeyondTheLimitQueueInOrderAndGetReleasedSlots() async throws {
        let fixture = try RouterFixture(["a"], limit: 1)
        fixture["a"].setFallback(.hold)
        let first = start(prompt("first"), on: fixture.router)
        #expect(await eventually { fixture["a"].heldCount == 1 })
        let second = start(prompt("second"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 1 })
        let third = start(prompt("third"), on: fixture.router)
        #expect(await eventually { fixture.router.waitingRequestCount == 2 })
        #expect(fixture.log.calls.count == 1)
        #expect(fixture.status(of: "a")?.outstanding == 1)

        fixture["a"].release(with: .answer("one"))
        #expect(try await first.value.get().text == "one")
        #expect(await eventually { fixture["a"].heldCount == 1 })
        #expect(fixture.router.waitingRequestCount == 1)
        fixture["a"].release(with: .answer("two"))
        #expect(try await second.value.get().text == "two")
        fixture["a"].release(with: .answer("three"))
        #expect(try await third.value.get().text == "three")

        #expect(fixture.log.calls.map(\.request.input) == ["first", "second", "third"].map { .text($0) })
        #expect(fixture.status(of: "a")?.outstanding == 0)
        #expect(fixture.router.waitingRequestCount == 0)
    }

    @Test func theBackendGetsTheRequestWithoutTheLogicalModelName() async throws {
        let fixture = try RouterFixture(["a"])
        let request = CompletionRequest(prompt: "hi", model: "gemma", maxTokens: 7, temperature: 0.5, stop: ["\n"])
        _ = try await fixture.router.complete(request)
        var expected = request
        expected.model = nil
        #expect(fixture.log.calls.map(\.request) == [expected])
        #expect(fixture.status(of: "a")?.servedModel == "served-a")
    }

    @Test func unknownModelsListTheKnownOnes() async throws {
        let log = CallLog()
        let router = InferenceRouter(defaultModel: nil) { _ in FakeBackend("x", log: log) }
        for (name, model) in [("g1", "gemma"), ("l1", "llama"), ("g2", "gemma")] {
            try router.attach(RoutedEndpoint(
                name: name, model: model, endpoint: InferenceEndpoint(baseURL: URL(string: "http://\(name).invalid")!)))
        }
        #expect(router.models() == ["gemma", "llama"])
        let result = await outcome(of: prompt("p", model: "gpt-4"), on: router)
        #expect(result.thrownError == .unknownModel(name: "gpt-4", known: ["gemma", "llama"]))
        #expect(result.thrownError?.description.contains("gemma, llama") == true)
        #expect(log.calls.isEmpty)

        #expect(throws: InferenceError.self) { try router.resolveModel(nil) }
        let noDefault = await outcome(of: prompt("p"), on: router)
        guard case let .invalidRequest(reason)? = noDefault.thrownError else {
            Issue.record("expected invalidRequest, got \(noDefault)")
            return
        }
        #expect(reason.contains("no default model") && reason.contains("gemma, llama"))
        #expect(try router.resolveModel("llama") == "llama")
    }

    @Test func theDefaultModelServesRequestsThatNameNone() async throws {
        let fixture = try RouterFixture(["a"])
        #expect(fixture.router.defaultModel == "gemma")
        #expect(try fixture.router.resolveModel(nil) == "gemma")
        #expect(try await fixture.router.complete(prompt("p")).text == "from a")
        let router = InferenceRouter(defaultModel: "absent") { _ in fixture["a"] }
        #expect(throws: InferenceError.unknownModel(name: "absent", known: [])) { try router.resolveModel(nil) }
    }

    @Test func whenNoEndpointIsHealthyTheOneThatFailedLongestAgoIsTried() async throws {
        let down = InferenceError.connectionFailed(endpoint: "http://x", reason: "refused")
        let fixture = try RouterFixture(["a", "b"], policy: RoutingPolicy(maximumAttempts: 1),
                                        scripts: ["a": [.fail(down)], "b": [.fail(down)]])
        #expect(await outcome(of: prompt("1"), on: fixture.router).thrownError == down)
        #expect(await outcome(of: prompt("2"), on: fixture.router).thrownError == down)
        #expect(fixture.router.status().map(\.healthy) == [false, false])

        // Both are down; a failed first, so it has had the longest to recover, and it has.
        #expect(try await fixture.router.complete(prompt("3")).text == "from a")
        #expect(fixture.log.calls.map(\.backend) == ["a", "b", "a"])
        #expect(fixture.status(of: "a")?.healthy == true)
        #expect(fixture.status(of: "a")?.consecutiveFailures == 0)
        #expect(fixture.status(of: "b")?.healthy == false)
    }

    @Test func statusReportsCountersAndLatency() async throws {
        let fixture = try RouterFixture(["a"], policy: RoutingPolicy(maximumAttempts: 1),
                                        scripts: ["a": [.answer("x"), .fail(.timedOut(endpoint: "http://a", after: .seconds(1)))]])
        _ = try await fixture.router.complete(prompt("1"))
        _ = await outcome(of: prompt("2"), on: fixture.router)
        let status = try #require(fixture.status(of: "a"))
        #expect(status.requests == 2)
        #expect(status.failures == 1)
        #expect(status.consecutiveFailures == 1)
        #expect(status.healthy, "a timeout says the server is slow, not down")
        #expect(status.lastError?.contains("did not answer within") == true)
        #expect(status.latencyP50 != nil && status.latencyP99 != nil)
        #expect(status.url == "http://a.invalid:8080")
        #expect(status.maximumConcurrentRequests == 1)
    }
}

extension Result {
    /// The error, if this is a failure.
    var thrownError: Failure? {
        if case let .failure(error) = self { error } else { nil }
    }
}

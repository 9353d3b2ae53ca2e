import Foundation
import Synchronization
import Testing
import TestSupport
@testable import InferenceDriver

/// The router over the real ``OpenAICompatibleClient``, against fault servers that fail on
/// purpose: real sockets, real HTTP status codes, real hang-ups.
@Suite("Inference router with the real client: fault servers", .timeLimit(.minutes(2)))
struct RouterFaultServerIntegrationTests {
    @Test func anEndpointAnswering503IsRoutedAroundAndMarkedUnhealthy() async throws {
        let unavailable = try await FaultServer.start(mode: .unavailable)
        defer { unavailable.stop() }
        let ok = try await FaultServer.start(mode: .ok)
        defer { ok.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("unavailable", at: unavailable.baseURL))
        try router.attach(routedEndpoint("ok", at: ok.baseURL))

        for index in 0..<4 {
            let completion = try await router.complete(integrationPrompt("request \(index)"))
            #expect(completion.text.contains("request \(index)"))
        }

        let down = try #require(router.endpointStatus("unavailable"))
        #expect(!down.healthy)
        #expect(down.failures >= 1)
        #expect(down.lastError?.contains("HTTP 503") == true, "last error: \(down.lastError ?? "none")")
        let up = try #require(router.endpointStatus("ok"))
        #expect(up.healthy)
        #expect(up.failures == 0)
        #expect(up.requests == 4, "every request ends on the endpoint that answers")
        #expect(try await unavailable.stats().completionRequests == down.requests)
        #expect(try await ok.stats().completionRequests == 4)
    }

    @Test func rateLimitingIsRetriedNoEarlierThanRetryAfter() async throws {
        let limited = try await FaultServer.start(mode: .ratelimit, options: .init(failFirst: 1, retryAfter: "1"))
        defer { limited.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("limited", at: limited.baseURL))

        let started = ContinuousClock.now
        let completion = try await router.complete(integrationPrompt("after the wait"))
        let elapsed = ContinuousClock.now - started

        #expect(completion.text.contains("after the wait"))
        #expect(elapsed >= .milliseconds(950), "the retry came after \(elapsed), before the server's Retry-After: 1")
        #expect(try await limited.stats().completionRequests == 2)
        let status = try #require(router.endpointStatus("limited"))
        #expect(status.requests == 2)
        #expect(status.failures == 1)
        #expect(status.healthy, "HTTP 429 means busy, not down")
    }

    @Test func aStreamThatBreaksOffIsNotRetried() async throws {
        // Both endpoints break streams off, so a retry anywhere would show in the counts.
        let first = try await FaultServer.start(mode: .halfstream)
        defer { first.stop() }
        let second = try await FaultServer.start(mode: .halfstream)
        defer { second.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("first", at: first.baseURL))
        try router.attach(routedEndpoint("second", at: second.baseURL))

        let collector = ChunkCollector()
        let result = await outcome(of: integrationPrompt("a stream that breaks off"), on: router,
                                   onChunk: collector.onChunk)

        guard case let .failure(.streamInterrupted(_, deliveredChunks, _)) = result else {
            Issue.record("expected .streamInterrupted, got \(result)")
            return
        }
        #expect(deliveredChunks >= 1)
        #expect(deliveredChunks == collector.received.count)
        let firstRequests = try await first.stats().completionRequests
        let secondRequests = try await second.stats().completionRequests
        #expect(firstRequests + secondRequests == 1, "first: \(firstRequests), second: \(secondRequests)")
    }

    @Test func aRequestTimeoutIsNotRetried() async throws {
        let first = try await FaultServer.start(mode: .stall)
        defer { first.stop() }
        let second = try await FaultServer.start(mode: .stall)
        defer { second.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("first", at: first.baseURL, requestTimeout: .seconds(1)))
        try router.attach(routedEndpoint("second", at: second.baseURL, requestTimeout: .seconds(1)))

        let result = await outcome(of: integrationPrompt("never answered"), on: router)

        guard case let .failure(.timedOut(_, after)) = result else {
            Issue.record("expected .timedOut, got \(result)")
            return
        }
        #expect(after == .seconds(1))
        let firstRequests = try await first.stats().completionRequests
        let secondRequests = try await second.stats().completionRequests
        #expect(firstRequests + secondRequests == 1, "first: \(firstRequests), second: \(secondRequests)")
        #expect(router.status().map(\.healthy) == [true, true], "a slow answer does not mean the endpoint is down")
    }

    @Test func aRefusedConnectionFailsOverToTheOtherEndpoint() async throws {
        let closedPort = try await FaultServer.closedPort()
        let ok = try await FaultServer.start(mode: .ok)
        defer { ok.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("refused", at: URL(string: "http://127.0.0.1:\(closedPort)")!))
        try router.attach(routedEndpoint("ok", at: ok.baseURL))

        for index in 0..<3 {
            let completion = try await router.complete(integrationPrompt("request \(index)"))
            #expect(completion.text.contains("request \(index)"))
        }

        let refused = try #require(router.endpointStatus("refused"))
        #expect(!refused.healthy)
        #expect(refused.failures >= 1)
        #expect(refused.lastError?.contains("connection refused") == true, "last error: \(refused.lastError ?? "none")")
        #expect(router.endpointStatus("ok")?.requests == 3)
        #expect(try await ok.stats().completionRequests == 3)
    }

    @Test func whenEveryEndpointFailsTheAttemptsAreCounted() async throws {
        let first = try await FaultServer.start(mode: .unavailable)
        defer { first.stop() }
        let second = try await FaultServer.start(mode: .unavailable)
        defer { second.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("first", at: first.baseURL))
        try router.attach(routedEndpoint("second", at: second.baseURL))

        let result = await outcome(of: integrationPrompt("nobody answers"), on: router)

        guard case let .failure(.retriesExhausted(model, attempts, lastError)) = result else {
            Issue.record("expected .retriesExhausted, got \(result)")
            return
        }
        #expect(model == "gemma")
        #expect(attempts == 3)
        guard case .httpStatus(_, 503, _) = lastError else {
            Issue.record("expected the last error to be HTTP 503, got \(lastError)")
            return
        }
        let firstRequests = try await first.stats().completionRequests
        let secondRequests = try await second.stats().completionRequests
        #expect(firstRequests + secondRequests == 3)
        #expect(firstRequests >= 1 && secondRequests >= 1, "the retry goes to the endpoint not tried yet")
        #expect(router.status().map(\.healthy) == [false, false])
    }

    @Test func theHealthProbeTakesAnEndpointOutAndBringsItBack() async throws {
        let flaky = try await FaultServer.start(mode: .unhealthy)
        defer { flaky.stop() }
        let steady = try await FaultServer.start(mode: .ok)
        defer { steady.stop() }
        var policy = RoutingPolicy.integration
        policy.healthCheckInterval = .milliseconds(200)
        let router = makeIntegrationRouter(policy: policy)
        defer { router.shutdown() }
        try router.attach(routedEndpoint("flaky", at: flaky.baseURL))
        try router.attach(routedEndpoint("steady", at: steady.baseURL))
        router.startHealthChecks()

        #expect(await eventually(within: .seconds(30)) { router.endpointStatus("flaky")?.healthy == false },
                "the probe never took the endpoint answering 503 out")
        for index in 0..<3 {
            _ = try await router.complete(integrationPrompt("while flaky is out \(index)"))
        }
        #expect(try await flaky.stats().completionRequests == 0, "requests went to an endpoint taken out")
        #expect(router.endpointStatus("steady")?.requests == 3)

        try await flaky.control(mode: .ok)
        #expect(await eventually(within: .seconds(30)) { router.endpointStatus("flaky")?.healthy == true },
                "the probe never brought the recovered endpoint back")
        for index in 0..<2 {
            _ = try await router.complete(integrationPrompt("after recovery \(index)"))
        }
        #expect(try await flaky.stats().completionRequests >= 1, "the recovered endpoint gets requests again")
        #expect(router.endpointStatus("flaky")?.failures == 0, "probe failures are not request failures")
    }

    @Test func cancellingARequestHangsUpOnTheServer() async throws {
        let stalling = try await FaultServer.start(mode: .stall)
        defer { stalling.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("stalling", at: stalling.baseURL))

        let request = start(integrationPrompt("cancelled while waiting"), on: router)
        #expect(try await waitForStats(of: stalling, within: .seconds(30)) { $0.completionRequests == 1 },
                "the request never reached the server")
        request.cancel()

        #expect(await request.value.failure == .cancelled)
        #expect(try await waitForStats(of: stalling, within: .seconds(30)) { $0.stallClientDisconnects == 1 },
                "the server never saw the client hang up")
        let status = try #require(router.endpointStatus("stalling"))
        #expect(status.outstanding == 0)
        #expect(status.failures == 0, "a cancellation is no fault of the endpoint")
        #expect(status.healthy)
    }
}

/// The router over the real client against two real llama.cpp servers (Gemma 3 270M) of
/// the test's own, one of which is killed mid-test. Starting each takes a few seconds.
@Suite("Inference router with the real client: two llama.cpp servers", .timeLimit(.minutes(10)))
struct RouterRealServerIntegrationTests {
    @Test func requestsSpreadOverBothServersAndSurviveOneBeingKilled() async throws {
        let logs = try TemporaryDirectory(prefix: "routerit")
        let first = try await GuardedModelServer.start(log: logs.path("first.log"))
        defer { first.stop() }
        let second = try await GuardedModelServer.start(log: logs.path("second.log"))
        defer { second.stop() }
        let router = makeIntegrationRouter()
        try router.attach(routedEndpoint("first", at: first.baseURL, requestTimeout: .seconds(60)))
        try router.attach(routedEndpoint("second", at: second.baseURL, requestTimeout: .seconds(60)))

        // Concurrent requests spread over both servers.
        for result in await completions(count: 4, on: router) {
            #expect(try result.get().usage.completionTokens > 0)
        }
        for status in router.status() {
            #expect(status.requests >= 1, "\(status.name) served no request")
            #expect(status.failures == 0, "\(status.name): \(status.lastError ?? "")")
        }

        // Kill one server while a batch is in flight on both: every request still succeeds.
        let batch = (0..<6).map { start(llamaPrompt($0), on: router) }
        #expect(await eventually(within: .seconds(60)) { router.endpointStatus("second")?.outstanding == 1 },
                "no request ever went to the server about to be killed")
        second.killServer()
        for request in batch {
            let result = await request.value
            #expect(result.failure == nil, "a request failed although one server survives: \(result)")
        }
        let killed = try #require(router.endpointStatus("second"))
        #expect(!killed.healthy)
        #expect(killed.failures >= 1, "no attempt on the killed server failed, so nothing was failed over")
        let survivor = try #require(router.endpointStatus("first"))
        #expect(survivor.failures == 0)

        // Later requests all go to the survivor.
        for index in 0..<3 {
            _ = try await router.complete(llamaPrompt(100 + index))
        }
        #expect(router.endpointStatus("second")?.requests == killed.requests)
        #expect(router.endpointStatus("first")?.requests == survivor.requests + 3)
    }

    /// A short greedy completion of a numbered prompt, not streamed: a request in flight on
    /// a killed server has then delivered nothing and may fail over.
    private func llamaPrompt(_ index: Int) -> CompletionRequest {
        CompletionRequest(prompt: "Item \(index) on the shopping list is", maxTokens: 6, temperature: 0)
    }

    /// Sends `count` requests at once and returns their outcomes.
    private func completions(count: Int, on router: InferenceRouter) async -> [Result<Completion, InferenceError>] {
        let requests = (0..<count).map { start(llamaPrompt($0), on: router) }
        var results: [Result<Completion, InferenceError>] = []
        for request in requests { results.append(await request.value) }
        return results
    }
}

extension RoutingPolicy {
    /// Three attempts with retry delays small enough for tests; no health checks unless started.
    static let integration = RoutingPolicy(
        maximumAttempts: 3, baseRetryDelay: .milliseconds(10), maximumRetryDelay: .milliseconds(50),
        maximumRetryAfter: .seconds(5), healthCheckInterval: .seconds(1))
}

extension InferenceRouter {
    /// The status of the endpoint named `name`, if attached.
    func endpointStatus(_ name: String) -> EndpointStatus? {
        status().first { $0.name == name }
    }
}

/// A router for the model `gemma` (its default) over real ``OpenAICompatibleClient``s.
private func makeIntegrationRouter(policy: RoutingPolicy = .integration) -> InferenceRouter {
    InferenceRouter(defaultModel: "gemma", policy: policy) { OpenAICompatibleClient(endpoint: $0) }
}

/// An endpoint of the model `gemma` at `url`, taking one request at a time.
private func routedEndpoint(_ name: String, at url: URL, requestTimeout: Duration = .seconds(10)) -> RoutedEndpoint {
    RoutedEndpoint(name: name, model: "gemma",
                   endpoint: InferenceEndpoint(baseURL: url, requestTimeout: requestTimeout))
}

/// A short prompt request for the default model; fault servers echo its start.
private func integrationPrompt(_ text: String) -> CompletionRequest {
    CompletionRequest(prompt: text, maxTokens: 8)
}

/// What the router tells its observer, against fault servers.
@Suite("Inference router: the attempts it reports", .timeLimit(.minutes(2)))
struct RouterAttemptObserverTests {
    @Test func everyAttemptIsReportedWithItsEndpointAndOutcome() async throws {
        let unavailable = try await FaultServer.start(mode: .unavailable)
        defer { unavailable.stop() }
        let ok = try await FaultServer.start(mode: .ok)
        defer { ok.stop() }
        let observed = Mutex<[InferenceAttempt]>([])
        let router = InferenceRouter(defaultModel: "gemma", policy: .integration,
                                     observeAttempt: { attempt in observed.withLock { $0.append(attempt) } }) {
            OpenAICompatibleClient(endpoint: $0)
        }
        try router.attach(RoutedEndpoint(name: "unavailable", model: "gemma",
                                         endpoint: InferenceEndpoint(baseURL: unavailable.baseURL, requestTimeout: .seconds(10))))
        try router.attach(RoutedEndpoint(name: "ok", model: "gemma",
                                         endpoint: InferenceEndpoint(baseURL: ok.baseURL, requestTimeout: .seconds(10))))

        for index in 0..<4 {
            _ = try await router.complete(CompletionRequest(prompt: "request \(index)", maxTokens: 8))
        }

        let attempts = observed.withLock { $0 }
        #expect(attempts.allSatisfy { $0.model == "gemma" && $0.duration > .zero })
        #expect(attempts.filter { $0.endpoint == "ok" }.map(\.outcome) == Array(repeating: .succeeded, count: 4))
        let failed = attempts.filter { $0.endpoint == "unavailable" }
        #expect(!failed.isEmpty, "the 503 endpoint was tried")
        #expect(failed.allSatisfy { $0.outcome == .failed })
        #expect(failed.count == router.endpointStatus("unavailable")?.requests)
        #expect(failed.count == (try await unavailable.stats().completionRequests))
    }
}

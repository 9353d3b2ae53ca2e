import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// The client against a fault-injecting fake server (`Tests/Fixtures/fault_inference_server.py`),
/// whole (not streamed) answers.
///
/// Serialized: each test starts a Python server of its own, and dozens starting at once on
/// a loaded two-core machine can take longer than the launcher waits for them.
@Suite("OpenAICompatibleClient against the fault server", .serialized)
struct OpenAICompatibleClientTests {
    private static let secretKey = "sk-test-SECRET-5f3a9c"

    @Test(arguments: TransportKind.allCases)
    func okAnswerIsParsedWithUsage(transport: TransportKind) async throws {
        try await withFaultServer(.ok) { server async throws in
            let request = CompletionRequest(prompt: "The quick brown fox", maxTokens: 8)
            let completion = try await transport.client(for: faultEndpoint(server)).complete(request)
            #expect(completion == Completion(
                text: " echo: The quick brown fox",
                finishReason: "stop",
                model: "fault-server-model",
                usage: TokenUsage(promptTokens: 4, completionTokens: 5)))
        }
    }

    @Test(arguments: [FaultServer.Framing.length, .chunked, .close])
    func everyBodyFramingIsRead(framing: FaultServer.Framing) async throws {
        try await withFaultServer(.ok, options: .init(framing: framing)) { server async throws in
            let completion = try await OpenAICompatibleClient(endpoint: faultEndpoint(server))
                .complete(CompletionRequest(prompt: "framed by \(framing)"))
            #expect(completion.text == " echo: framed by \(framing)")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func requestBodyHoldsExactlyTheSetFields(transport: TransportKind) async throws {
        try await withFaultServer(.ok) { server async throws in
            _ = try await transport.client(for: faultEndpoint(server)).complete(CompletionRequest(prompt: "only a prompt"))
            var stats = try await server.stats()
            #expect(stats.lastCompletionPath == "/v1/completions")
            #expect(stats.lastCompletionBody?.keys.sorted() == ["prompt"])
            #expect(stats.lastAuthorization == nil)

            let full = CompletionRequest(prompt: "p", model: "m2", maxTokens: 16, temperature: 0.5,
                                         topP: 0.9, topK: 40, stop: ["\n", "END"])
            let completion = try await transport.client(
                for: faultEndpoint(server, defaultModel: "m1", apiKey: Self.secretKey)).complete(full)
            stats = try await server.stats()
            let body = try #require(stats.lastCompletionBody)
            #expect(body.keys.sorted() == ["max_tokens", "model", "prompt", "stop", "temperature", "top_k", "top_p"])
            #expect(body["prompt"] as? String == "p")
            #expect(body["model"] as? String == "m2")
            #expect(body["max_tokens"] as? Int == 16)
            #expect(body["temperature"] as? Double == 0.5)
            #expect(body["top_p"] as? Double == 0.9)
            #expect(body["top_k"] as? Int == 40)
            #expect(body["stop"] as? [String] == ["\n", "END"])
            #expect(stats.lastAuthorization == "Bearer \(Self.secretKey)")
            #expect(completion.model == "m2")

            _ = try await transport.client(for: faultEndpoint(server, defaultModel: "m1"))
                .complete(CompletionRequest(prompt: "p", maxTokens: 0))
            stats = try await server.stats()
            #expect(stats.lastCompletionBody?.keys.sorted() == ["max_tokens", "model", "prompt"])
            #expect(stats.lastCompletionBody?["model"] as? String == "m1")
        }
    }

    @Test func closedPortIsAConnectionFailureNamingTheURL() async throws {
        let port = try await FaultServer.closedPort()
        let endpoint = InferenceEndpoint(baseURL: URL(string: "http://127.0.0.1:\(port)")!)
        let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: endpoint))
        let url = "http://127.0.0.1:\(port)/v1/completions"
        #expect(result == .failure(.connectionFailed(endpoint: url, reason: "connection refused")))
        let error = try #require(result.failure)
        #expect(error.description.contains("cannot reach the inference server at \(url): connection refused"))
        #expect(error.description.contains("./scripts/model-server"))
        #expect(error.isRetryable)
    }

    @Test func unknownHostIsAConnectionFailureNamingTheHost() async throws {
        let endpoint = InferenceEndpoint(baseURL: URL(string: "http://no-such-host.invalid:8080")!)
        let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: endpoint))
        guard case let .failure(.connectionFailed(url, reason)) = result else {
            Issue.record("expected .connectionFailed, got \(result)")
            return
        }
        #expect(url == "http://no-such-host.invalid:8080/v1/completions")
        #expect(reason.hasPrefix("the host name \"no-such-host.invalid\" does not resolve"), "reason: \(reason)")
    }

    @Test(arguments: TransportKind.allCases)
    func serverErrorCarriesStatusAndCollapsedExcerpt(transport: TransportKind) async throws {
        try await withFaultServer(.error500) { server async throws in
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: transport.client(for: faultEndpoint(server)))
            guard case let .failure(.httpStatus(url, status, excerpt)) = result else {
                Issue.record("expected .httpStatus, got \(result)")
                return
            }
            #expect(url == "http://127.0.0.1:\(server.port)/v1/completions")
            #expect(status == 500)
            // The server pretty-prints its JSON over several indented lines.
            #expect(excerpt.hasPrefix(#"{ "error": { "message": "internal error while serving"#))
            #expect(!excerpt.contains("\n") && !excerpt.contains("  "))
            #expect(excerpt.count <= BodyExcerpt.limit + 1)
            #expect(try #require(result.failure).description.contains("answered HTTP 500"))
        }
    }

    @Test(arguments: TransportKind.allCases, [(FaultServer.Mode.garbage, "not JSON"), (.wrongshape, "\"choices\" is missing")])
    func unexpectedBodiesAreMalformedResponses(transport: TransportKind, modeAndReason: (FaultServer.Mode, String)) async throws {
        let (mode, expectedReason) = modeAndReason
        try await withFaultServer(mode) { server async throws in
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: transport.client(for: faultEndpoint(server)))
            guard case let .failure(.malformedResponse(url, reason)) = result else {
                Issue.record("expected .malformedResponse, got \(result)")
                return
            }
            #expect(url == "http://127.0.0.1:\(server.port)/v1/completions")
            #expect(reason.contains(expectedReason), "reason: \(reason)")
        }
    }

    @Test func answerCutOffMidBodyIsARetryableConnectionFailure() async throws {
        try await withFaultServer(.halfstream) { server async throws in
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: faultEndpoint(server)))
            #expect(result == .failure(.connectionFailed(
                endpoint: "http://127.0.0.1:\(server.port)/v1/completions",
                reason: "the server closed the connection before the answer was complete")))
            #expect(result.failure?.isRetryable == true)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func stallingServerTimesOutAfterTheRequestTimeout(transport: TransportKind) async throws {
        try await withFaultServer(.stall) { server async throws in
            // Over sockets, a connect timeout shorter than the stall also checks that an
            // accepted but silent connection is not mistaken for an unreachable server.
            let endpoint = faultEndpoint(server, connectTimeout: transport.shortConnectTimeout, requestTimeout: .seconds(1))
            let clock = ContinuousClock()
            let start = clock.now
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: transport.client(for: endpoint))
            let elapsed = clock.now - start
            #expect(result == .failure(.timedOut(
                endpoint: "http://127.0.0.1:\(server.port)/v1/completions", after: .seconds(1))))
            #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(10), "took \(elapsed)")
            #expect(try await waitForStats(of: server) { $0.stallClientDisconnects == 1 })
        }
    }

    @Test(arguments: TransportKind.allCases)
    func slowButTimelyServerSucceeds(transport: TransportKind) async throws {
        try await withFaultServer(.slow, delaySeconds: 1.2) { server async throws in
            let endpoint = faultEndpoint(server, connectTimeout: transport.shortConnectTimeout, requestTimeout: .seconds(30))
            let completion = try await transport.client(for: endpoint).complete(CompletionRequest(prompt: "late"))
            #expect(completion.text == " echo: late")
        }
    }

    // Over URLSession, cancelling a task that is still connecting crashes the test process
    // in libdispatch (a fault of FoundationNetworking on Linux); the socket transport has
    // no such failure, so this runs on it only.
    @Test
    func unacceptedConnectionFailsAfterTheConnectTimeout() async throws {
        try await withFaultServer(.noaccept) { server async throws in
            let endpoint = faultEndpoint(server, connectTimeout: .milliseconds(500), requestTimeout: .seconds(10))
            let clock = ContinuousClock()
            let start = clock.now
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: endpoint))
            let elapsed = clock.now - start
            guard case let .failure(.connectionFailed(url, reason)) = result else {
                Issue.record("expected .connectionFailed, got \(result)")
                return
            }
            #expect(url == "http://127.0.0.1:\(server.port)/v1/completions")
            #expect(reason.contains("no connection within 0.5 seconds"), "reason: \(reason)")
            #expect(elapsed < .seconds(8), "took \(elapsed)")
        }
    }

    @Test func requestTimeoutShorterThanTheConnectTimeoutIsATimeout() async throws {
        try await withFaultServer(.noaccept) { server async throws in
            let endpoint = faultEndpoint(server, connectTimeout: .seconds(10), requestTimeout: .milliseconds(400))
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: endpoint))
            #expect(result == .failure(.timedOut(
                endpoint: "http://127.0.0.1:\(server.port)/v1/completions", after: .milliseconds(400))))
        }
    }

    @Test func cancellingWhileConnectingAbandonsTheRequestPromptly() async throws {
        try await withFaultServer(.noaccept) { server async throws in
            let client = OpenAICompatibleClient(endpoint: faultEndpoint(server, connectTimeout: .seconds(30), requestTimeout: .seconds(30)))
            let task = Task { await outcome(of: CompletionRequest(prompt: "hi"), with: client) }
            try await Task.sleep(for: .milliseconds(200))
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let result = await task.value
            #expect(result == .failure(.cancelled))
            #expect(clock.now - start < .seconds(5), "took \(clock.now - start)")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingTheCallerAbandonsTheRequestPromptly(transport: TransportKind) async throws {
        try await withFaultServer(.stall) { server async throws in
            let client = transport.client(for: faultEndpoint(server, requestTimeout: .seconds(30)))
            let task = Task { await outcome(of: CompletionRequest(prompt: "hi"), with: client) }
            #expect(try await waitForStats(of: server) { $0.completionRequests == 1 })

            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            let result = await task.value
            let elapsed = clock.now - start
            #expect(result == .failure(.cancelled))
            #expect(elapsed < .seconds(5), "took \(elapsed)")
            #expect(try await waitForStats(of: server) { $0.stallClientDisconnects == 1 })
        }
    }

    @Test func aTaskCancelledBeforeTheRequestSendsNothing() async throws {
        try await withFaultServer(.ok) { server async throws in
            let client = OpenAICompatibleClient(endpoint: faultEndpoint(server))
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await outcome(of: CompletionRequest(prompt: "hi"), with: client)
            }
            #expect(await task.value == .failure(.cancelled))
            #expect(try await server.stats().completionRequests == 0)
        }
    }

    @Test func invalidParametersAreRejectedBeforeAnyRequest() async throws {
        try await withFaultServer(.ok) { server async throws in
            let invalid = [
                CompletionRequest(prompt: "p", maxTokens: -1),
                CompletionRequest(prompt: "p", temperature: -0.1),
                CompletionRequest(prompt: "p", temperature: .nan),
                CompletionRequest(prompt: "p", topP: 0),
                CompletionRequest(prompt: "p", topP: 1.5),
                CompletionRequest(prompt: "p", topK: -3),
                CompletionRequest(prompt: "p", stop: ["ok", ""]),
                CompletionRequest(prompt: "p", model: ""),
                CompletionRequest(messages: []),
                CompletionRequest(messages: [ChatMessage(role: "", content: "hi")]),
            ]
            for request in invalid {
                let result = await outcome(of: request, with: OpenAICompatibleClient(endpoint: faultEndpoint(server)))
                guard case let .failure(.invalidRequest(reason)) = result else {
                    Issue.record("expected .invalidRequest for \(request), got \(result)")
                    continue
                }
                #expect(!reason.isEmpty)
            }
            #expect(try await server.stats().completionRequests == 0)
        }
    }

    @Test func unusableEndpointsAreRejectedBeforeAnyRequest() async throws {
        let injected = InferenceEndpoint(baseURL: URL(string: "http://127.0.0.1:9")!, apiKey: "key\r\nX-Injected: 1")
        let ftp = InferenceEndpoint(baseURL: URL(string: "ftp://127.0.0.1:9")!)
        for endpoint in [injected, ftp] {
            let client = OpenAICompatibleClient(endpoint: endpoint)
            let result = await outcome(of: CompletionRequest(prompt: "p"), with: client)
            guard case let .failure(.invalidRequest(reason)) = result else {
                Issue.record("expected .invalidRequest for \(endpoint), got \(result)")
                continue
            }
            #expect(!reason.contains("X-Injected"))
            await #expect(throws: InferenceError.self) { try await client.checkHealth() }
        }
    }

    @Test func apiKeyNeverAppearsInDescriptionsOrErrors() async throws {
        let closedPort = try await FaultServer.closedPort()
        var messages: [String] = []

        let refused = InferenceEndpoint(baseURL: URL(string: "http://127.0.0.1:\(closedPort)")!, apiKey: Self.secretKey)
        messages += [refused.description, refused.debugDescription, String(reflecting: refused)]
        var dumped = ""
        dump(refused, to: &dumped)
        messages.append(dumped)
        #expect(refused.description.contains("api key: set"))
        let refusedClient = OpenAICompatibleClient(endpoint: refused)
        messages.append(try #require(await outcome(of: CompletionRequest(prompt: "p"), with: refusedClient).failure).description)
        messages.append(try #require(await outcome(of: CompletionRequest(prompt: "p", topK: -1), with: refusedClient).failure).description)

        for mode in [FaultServer.Mode.error500, .garbage, .stall, .ratelimit] {
            try await withFaultServer(mode) { server async throws in
                let endpoint = faultEndpoint(server, apiKey: Self.secretKey, requestTimeout: .milliseconds(300))
                for onChunk in [nil, ChunkRecorder().callback] {
                    let result = await outcome(of: CompletionRequest(prompt: "p"), with: OpenAICompatibleClient(endpoint: endpoint),
                                               onChunk: onChunk)
                    let error = try #require(result.failure)
                    messages += [error.description, String(reflecting: error)]
                    if mode == .error500 {
                        // The fixture echoes the Authorization header in its error body.
                        #expect(error.description.contains("Bearer <redacted>"))
                    }
                }
            }
        }
        for message in messages {
            #expect(!message.contains(Self.secretKey), "leaked in: \(message)")
        }
    }

    @Test func baseURLMayEndInSlashOrV1() async throws {
        try await withFaultServer(.ok) { server async throws in
            let root = "http://127.0.0.1:\(server.port)"
            for base in [root, root + "/", root + "/v1", root + "/v1/"] {
                let endpoint = InferenceEndpoint(baseURL: URL(string: base)!)
                let result = await outcome(of: CompletionRequest(prompt: "x"), with: OpenAICompatibleClient(endpoint: endpoint))
                #expect(result.failure == nil, "base \(base): \(result)")
            }
            let paths = try await server.stats().requestsByPath.filter { $0.key != "/stats" }
            #expect(paths == ["/v1/completions": 4])
        }
    }
}

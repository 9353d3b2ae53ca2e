import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// Streamed answers, chats, rate limits and health checks against the fault server, over
/// both transports. Serialized for the reason ``OpenAICompatibleClientTests`` is.
@Suite("Streaming, chat, rate limits and health against the fault server", .serialized)
struct StreamingAndChatTests {
    private static let prompt = "The quick brown fox jumps"

    @Test(arguments: TransportKind.allCases)
    func streamedPiecesArriveInOrderAndAddUpToTheText(transport: TransportKind) async throws {
        try await withFaultServer(.ok, options: .init(chunkDelaySeconds: 0.02)) { server async throws in
            let recorder = ChunkRecorder()
            let completion = try await transport.client(for: faultEndpoint(server))
                .complete(CompletionRequest(prompt: Self.prompt), onChunk: recorder.callback)
            #expect(recorder.chunks == [" echo:", " The", " quick", " brown", " fox", " jumps"])
            #expect(completion == Completion(text: " echo: The quick brown fox jumps", finishReason: "stop",
                                             model: "fault-server-model",
                                             usage: TokenUsage(promptTokens: 5, completionTokens: 6)))
            let body = try #require(try await server.stats().lastCompletionBody)
            #expect(body["stream"] as? Bool == true)
            #expect(body["stream_options"] as? [String: Bool] == ["include_usage": true])
        }
    }

    @Test(arguments: TransportKind.allCases)
    func streamWithoutUsageCountsOneTokenPerPiece(transport: TransportKind) async throws {
        try await withFaultServer(.ok, options: .init(streamUsage: false)) { server async throws in
            let recorder = ChunkRecorder()
            let completion = try await transport.client(for: faultEndpoint(server))
                .complete(CompletionRequest(prompt: "one two"), onChunk: recorder.callback)
            #expect(recorder.chunks.count == 3)
            #expect(completion.usage == TokenUsage(promptTokens: 0, completionTokens: 3),
                    "a server without a tokenize route: the prompt is not counted")
            #expect(completion.text == recorder.chunks.joined())
        }
    }

    @Test func streamEndedByTheConnectionIsRead() async throws {
        try await withFaultServer(.ok, options: .init(framing: .close)) { server async throws in
            let recorder = ChunkRecorder()
            let completion = try await OpenAICompatibleClient(endpoint: faultEndpoint(server))
                .complete(CompletionRequest(prompt: "until close"), onChunk: recorder.callback)
            #expect(completion.text == " echo: until close")
            #expect(recorder.chunks == [" echo:", " until", " close"])
        }
    }

    @Test(arguments: TransportKind.allCases)
    func chatIsSentToChatCompletionsWhetherStreamedOrNot(transport: TransportKind) async throws {
        try await withFaultServer(.ok) { server async throws in
            let client = transport.client(for: faultEndpoint(server))
            let request = CompletionRequest(messages: [
                ChatMessage(role: "system", content: "Be brief."),
                ChatMessage(role: "user", content: "Say hello"),
            ], maxTokens: 5)
            let whole = try await client.complete(request)
            #expect(whole.text == " echo: Say hello")
            #expect(whole.finishReason == "stop")
            let stats = try await server.stats()
            #expect(stats.lastCompletionPath == "/v1/chat/completions")
            let messages = try #require(stats.lastCompletionBody?["messages"] as? [[String: String]])
            #expect(messages == [["role": "system", "content": "Be brief."], ["role": "user", "content": "Say hello"]])
            #expect(stats.lastCompletionBody?["prompt"] == nil)

            let recorder = ChunkRecorder()
            let streamed = try await client.complete(request, onChunk: recorder.callback)
            #expect(recorder.chunks == [" echo:", " Say", " hello"])
            #expect(streamed.text == whole.text)
            #expect(try await server.stats().chatCompletionRequests == 2)
        }
    }

    @Test(arguments: TransportKind.allCases)
    func chatWithoutATemplateIsNoChatTemplate(transport: TransportKind) async throws {
        try await withFaultServer(.nochat) { server async throws in
            let client = transport.client(for: faultEndpoint(server))
            let chat = CompletionRequest(messages: [ChatMessage(role: "user", content: "hi")], model: "base-model")
            let url = "http://127.0.0.1:\(server.port)/v1/chat/completions"
            let expected = InferenceError.noChatTemplate(endpoint: url, model: "base-model")
            #expect(await outcome(of: chat, with: client) == .failure(expected))
            let recorder = ChunkRecorder()
            #expect(await outcome(of: chat, with: client, onChunk: recorder.callback) == .failure(expected))
            #expect(recorder.chunks.isEmpty)
            #expect(!expected.isRetryable)
            // A plain prompt on the same server still works.
            #expect(try await client.complete(CompletionRequest(prompt: "hi")).text == " echo: hi")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func rateLimitCarriesRetryAfterSeconds(transport: TransportKind) async throws {
        try await withFaultServer(.ratelimit, options: .init(retryAfter: "7")) { server async throws in
            let client = transport.client(for: faultEndpoint(server))
            for onChunk in [nil, ChunkRecorder().callback] {
                let result = await outcome(of: CompletionRequest(prompt: "hi"), with: client, onChunk: onChunk)
                guard case let .failure(.rateLimited(url, retryAfter, excerpt)) = result else {
                    Issue.record("expected .rateLimited, got \(result)")
                    return
                }
                #expect(url == "http://127.0.0.1:\(server.port)/v1/completions")
                #expect(retryAfter == .seconds(7))
                #expect(excerpt.contains("too many requests"))
                #expect(result.failure?.isRetryable == true)
            }
        }
    }

    @Test func rateLimitCarriesRetryAfterAsAnHTTPDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date().addingTimeInterval(3600))
        try await withFaultServer(.ratelimit, options: .init(retryAfter: date)) { server async throws in
            let result = await outcome(of: CompletionRequest(prompt: "hi"), with: OpenAICompatibleClient(endpoint: faultEndpoint(server)))
            guard case let .failure(.rateLimited(_, retryAfter?, _)) = result else {
                Issue.record("expected .rateLimited with a delay, got \(result)")
                return
            }
            // An hour ahead, less however long the server took to start and answer.
            #expect(retryAfter > .seconds(3000) && retryAfter <= .seconds(3601), "\(retryAfter)")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func unavailableServerIsARetryableStatus(transport: TransportKind) async throws {
        try await withFaultServer(.unavailable) { server async throws in
            for onChunk in [nil, ChunkRecorder().callback] {
                let result = await outcome(of: CompletionRequest(prompt: "hi"), with: transport.client(for: faultEndpoint(server)),
                                           onChunk: onChunk)
                guard case let .failure(.httpStatus(_, 503, excerpt)) = result else {
                    Issue.record("expected HTTP 503, got \(result)")
                    return
                }
                #expect(excerpt.contains("unavailable"))
                #expect(result.failure?.isRetryable == true)
            }
        }
    }

    @Test(arguments: TransportKind.allCases)
    func streamCutAfterTwoEventsIsInterrupted(transport: TransportKind) async throws {
        try await withFaultServer(.halfstream) { server async throws in
            let recorder = ChunkRecorder()
            let result = await outcome(of: CompletionRequest(prompt: Self.prompt), with: transport.client(for: faultEndpoint(server)),
                                       onChunk: recorder.callback)
            guard case let .failure(.streamInterrupted(url, deliveredChunks, reason)) = result else {
                Issue.record("expected .streamInterrupted, got \(result)")
                return
            }
            #expect(url == "http://127.0.0.1:\(server.port)/v1/completions")
            #expect(deliveredChunks == 2)
            #expect(recorder.chunks == [" echo:", " The"])
            #expect(reason.contains("closed") || reason.contains("reset"), "reason: \(reason)")
            #expect(result.failure?.isRetryable == false)
        }
    }

    @Test func streamThatEndsWithoutDoneOrFinishReasonIsInterrupted() async throws {
        // Framed by the connection, the cut stream ends "cleanly": only its content shows
        // that it is incomplete.
        try await withFaultServer(.halfstream, options: .init(framing: .close)) { server async throws in
            let result = await outcome(of: CompletionRequest(prompt: Self.prompt), with: OpenAICompatibleClient(endpoint: faultEndpoint(server)),
                                       onChunk: ChunkRecorder().callback)
            guard case let .failure(.streamInterrupted(_, 2, reason)) = result else {
                Issue.record("expected .streamInterrupted after 2 chunks, got \(result)")
                return
            }
            #expect(reason == "the stream ended without [DONE] or a finish reason")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func cancellingMidStreamClosesTheConnection(transport: TransportKind) async throws {
        try await withFaultServer(.ok, options: .init(chunkDelaySeconds: 0.5)) { server async throws in
            let client = transport.client(for: faultEndpoint(server, requestTimeout: .seconds(30)))
            let (firstChunk, firstChunkArrived) = AsyncStream<String>.makeStream()
            let task = Task {
                await outcome(of: CompletionRequest(prompt: Self.prompt), with: client) { chunk in
                    firstChunkArrived.yield(chunk)
                }
            }
            var iterator = firstChunk.makeAsyncIterator()
            #expect(await iterator.next() == " echo:")
            let clock = ContinuousClock()
            let start = clock.now
            task.cancel()
            #expect(await task.value == .failure(.cancelled))
            #expect(clock.now - start < .seconds(5), "took \(clock.now - start)")
            #expect(try await waitForStats(of: server) { $0.clientDisconnects == 1 })
        }
    }

    @Test(arguments: TransportKind.allCases)
    func stalledStreamTimesOutAsAnInterruption(transport: TransportKind) async throws {
        try await withFaultServer(.ok, options: .init(chunkDelaySeconds: 5)) { server async throws in
            let endpoint = faultEndpoint(server, requestTimeout: .seconds(1))
            let recorder = ChunkRecorder()
            let result = await outcome(of: CompletionRequest(prompt: Self.prompt), with: transport.client(for: endpoint),
                                       onChunk: recorder.callback)
            #expect(result == .failure(.streamInterrupted(
                endpoint: "http://127.0.0.1:\(server.port)/v1/completions", deliveredChunks: 1,
                reason: "no complete answer within 1.0 seconds")))
            #expect(recorder.chunks == [" echo:"])
            #expect(try await waitForStats(of: server) { $0.clientDisconnects == 1 })
        }
    }

    @Test func failFirstAndControlSwitchBehaviourWhileRunning() async throws {
        try await withFaultServer(.unavailable, options: .init(failFirst: 1)) { server async throws in
            let client = OpenAICompatibleClient(endpoint: faultEndpoint(server))
            let request = CompletionRequest(prompt: "again")
            #expect(await outcome(of: request, with: client).failure?.isRetryable == true)
            #expect(try await client.complete(request).text == " echo: again")

            try await server.control(mode: .ratelimit, failFirst: 2, retryAfter: "3")
            for _ in 0..<2 {
                let result = await outcome(of: request, with: client)
                guard case let .failure(.rateLimited(_, retryAfter, _)) = result else {
                    Issue.record("expected a rate limit, got \(result)")
                    return
                }
                #expect(retryAfter == .seconds(3))
            }
            #expect(try await client.complete(request).text == " echo: again")
        }
    }

    @Test(arguments: TransportKind.allCases)
    func healthCheckFollowsTheServer(transport: TransportKind) async throws {
        try await withFaultServer(.error500) { server async throws in
            // Completions fail in this mode, but the model list answers: healthy.
            let client = transport.client(for: faultEndpoint(server))
            try await client.checkHealth()
            #expect(try await server.stats().requestsByPath["/v1/models"] == 1)

            try await server.control(mode: .unhealthy)
            await #expect(throws: InferenceError.httpStatus(
                endpoint: "http://127.0.0.1:\(server.port)/v1/models", status: 503,
                bodyExcerpt: #"{"error": {"message": "the server is unavailable", "type": "unavailable"}}"#)) {
                try await client.checkHealth()
            }
        }
    }

    @Test func healthCheckOfAStalledServerGivesUpWithinItsTimeout() async throws {
        try await withFaultServer(.noaccept) { server async throws in
            let client = OpenAICompatibleClient(endpoint: faultEndpoint(server, connectTimeout: .milliseconds(300)))
            await #expect(throws: InferenceError.self) { try await client.checkHealth() }
        }
        let port = try await FaultServer.closedPort()
        let refused = OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: URL(string: "http://127.0.0.1:\(port)")!))
        await #expect(throws: InferenceError.connectionFailed(
            endpoint: "http://127.0.0.1:\(port)/v1/models", reason: "connection refused")) {
            try await refused.checkHealth()
        }
    }
}

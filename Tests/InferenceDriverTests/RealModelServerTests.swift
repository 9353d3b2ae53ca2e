import Foundation
import Testing
import TestSupport
@testable import InferenceDriver

/// The client against the real model server (llama.cpp serving Gemma 3 270M, a base model),
/// whose URL `SKILLHOST_TEST_MODEL_URL` gives. These fail, never skip, without it.
@Suite("OpenAICompatibleClient against the real model server", .serialized)
struct RealModelServerTests {
    private func client() throws -> OpenAICompatibleClient {
        OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: try ModelServer.baseURL(), requestTimeout: .seconds(120)))
    }

    @Test func streamedCompletionDeliversSeveralChunksThatAddUpToTheText() async throws {
        let client = try client()
        let request = CompletionRequest(prompt: "The capital of France is", maxTokens: 12, temperature: 0)
        // llama-cpp-python interrupts a stream whenever another request arrives, and other
        // suites share the server: such a stream is retried, a few times at most.
        var attempt = 0
        var recorder = ChunkRecorder()
        var result = await outcome(of: request, with: client, onChunk: recorder.callback)
        while case .failure(.streamInterrupted) = result, attempt < 5 {
            attempt += 1
            recorder = ChunkRecorder()
            result = await outcome(of: request, with: client, onChunk: recorder.callback)
        }
        let completion = try result.get()
        #expect(recorder.chunks.count >= 3, "chunks: \(recorder.chunks)")
        #expect(recorder.chunks.joined() == completion.text)
        #expect(!completion.text.isEmpty)
        #expect(completion.finishReason != nil)
        #expect(completion.usage.completionTokens > 0)
        // The server sends no usage in a stream; the prompt is counted as a whole answer counts it.
        let whole = try await client.complete(CompletionRequest(prompt: "The capital of France is", maxTokens: 1))
        #expect(whole.usage.promptTokens > 0)
        #expect(completion.usage.promptTokens == whole.usage.promptTokens, "streamed \(completion.usage), whole \(whole.usage)")
    }

    @Test func wholeCompletionHasUsage() async throws {
        let completion = try await client().complete(CompletionRequest(prompt: "One, two, three,", maxTokens: 4))
        #expect(completion.usage.promptTokens > 0)
        #expect(completion.usage.completionTokens > 0)
    }

    @Test func chatWithTheBaseModelIsNoChatTemplate() async throws {
        let client = try client()
        let chat = CompletionRequest(messages: [ChatMessage(role: "user", content: "Say hello.")], maxTokens: 8)
        for onChunk in [nil, ChunkRecorder().callback] {
            let result = await outcome(of: chat, with: client, onChunk: onChunk)
            guard case let .failure(.noChatTemplate(url, _)) = result else {
                Issue.record("expected .noChatTemplate, got \(result)")
                continue
            }
            #expect(url.hasSuffix("/v1/chat/completions"))
        }
    }

    @Test func healthCheckPasses() async throws {
        try await client().checkHealth()
    }
}

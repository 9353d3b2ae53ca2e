import Foundation
import Testing
@testable import InferenceDriver

/// Assembling a completion from stream events, and reading the answer to a streamed request.
@Suite("Completion streams")
struct CompletionStreamTests {
    private func event(_ json: String) -> ServerSentEvent { ServerSentEvent(data: json) }

    @Test func textPiecesAssembleWithFinishReasonAndUsage() throws {
        var assembler = CompletionStreamAssembler()
        let pieces = try [
            event(#"{"model": "m", "choices": [{"text": "Hel", "finish_reason": null}]}"#),
            event(#"{"model": "m", "choices": [{"text": "", "finish_reason": null}]}"#),
            event(#"{"model": "m", "choices": [{"text": "lo", "finish_reason": "length"}]}"#),
            event(#"{"model": "m", "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}"#),
            event("[DONE]"),
            event(#"{"choices": [{"text": "after the end"}]}"#),
        ].map { event throws(MalformedReason) in try assembler.take(event) }
        #expect(pieces == ["Hel", nil, "lo", nil, nil, nil])
        #expect(assembler.incompleteness == nil)
        #expect(assembler.completion(modelIfUnnamed: "x") == Completion(
            text: "Hello", finishReason: "length", model: "m", usage: TokenUsage(promptTokens: 3, completionTokens: 2)))
    }

    @Test func chatDeltasAssembleAndUsageFallsBackToThePieceCount() throws {
        var assembler = CompletionStreamAssembler()
        _ = try assembler.take(event(#"{"choices": [{"delta": {"role": "assistant"}, "finish_reason": null}]}"#))
        _ = try assembler.take(event(#"{"choices": [{"delta": {"content": "Hi"}, "finish_reason": null}]}"#))
        _ = try assembler.take(event(#"{"choices": [{"delta": {"content": " there"}, "finish_reason": null}]}"#))
        #expect(assembler.incompleteness == "the stream ended without [DONE] or a finish reason")
        _ = try assembler.take(event(#"{"choices": [{"delta": {}, "finish_reason": "stop"}]}"#))
        #expect(assembler.incompleteness == nil)
        #expect(assembler.completion(modelIfUnnamed: "requested") == Completion(
            text: "Hi there", finishReason: "stop", model: "requested", usage: TokenUsage(promptTokens: 0, completionTokens: 2)))
    }

    @Test(arguments: [
        ("not json", "event 1 of the stream is not a completion chunk"),
        (#"{"choices": [{"text": 5}]}"#, "\"choices[0].text\" is not of type String"),
        (#"{"error": {"message": "model crashed"}}"#, "the server reported an error in the stream: \"model crashed\""),
        (#"{"error": "overloaded"}"#, "the server reported an error in the stream: \"overloaded\""),
    ])
    func badEventsAreExplained(data: String, expected: String) {
        var assembler = CompletionStreamAssembler()
        #expect {
            _ = try assembler.take(event(data))
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func streamedRequestAnsweredWithPlainJSONDeliversTheWholeText() throws {
        let recorder = ChunkRecorder()
        let receiver = CompletionStreamReceiver(bodyLimit: 1 << 20, onChunk: recorder.callback)
        _ = receiver.receive(head: HTTPResponseHead(status: 200, headers: [HTTPHeader(name: "Content-Type", value: "application/json")]))
        let json = #"{"model": "m", "choices": [{"text": "all at once", "finish_reason": "stop"}]}"#
        _ = Array(json.utf8).withUnsafeBytes { receiver.receive(body: $0) }
        #expect(recorder.chunks.isEmpty)
        let context = AnswerContext(endpoint: "http://h/v1/completions", apiKey: nil, isChat: false, requestedModel: "m")
        let completion = try context.streamedCompletion(
            from: receiver.outcome, deliveredChunks: receiver.deliveredChunks, failure: nil, onChunk: recorder.callback)
        #expect(completion.text == "all at once")
        #expect(recorder.chunks == ["all at once"])
    }

    @Test func aStreamLongerThanTheLimitIsGivenUp() {
        let recorder = ChunkRecorder()
        let receiver = CompletionStreamReceiver(bodyLimit: 64, onChunk: recorder.callback)
        _ = receiver.receive(head: HTTPResponseHead(status: 200, headers: [HTTPHeader(name: "Content-Type", value: "text/event-stream")]))
        let event = Array("data: {\"choices\": [{\"text\": \"ab\", \"finish_reason\": null}]}\n\n".utf8)
        #expect(event.withUnsafeBytes { receiver.receive(body: $0) } == .proceed)
        #expect(event.withUnsafeBytes { receiver.receive(body: $0) } == .stop, "the second event passes 64 bytes")
        #expect(recorder.chunks == ["ab"])
        guard case let .streamed(_, failure) = receiver.outcome else {
            Issue.record("expected a stream")
            return
        }
        #expect(failure?.contains("larger than") == true)
    }

    /// A receiver that has taken `stream` as a 200 event stream.
    private func streamReceiver(_ stream: String, recorder: ChunkRecorder) -> CompletionStreamReceiver {
        let receiver = CompletionStreamReceiver(bodyLimit: 1 << 20, onChunk: recorder.callback)
        _ = receiver.receive(head: HTTPResponseHead(status: 200, headers: [HTTPHeader(name: "Content-Type", value: "text/event-stream")]))
        _ = Array(stream.utf8).withUnsafeBytes { receiver.receive(body: $0) }
        return receiver
    }

    @Test func doneWithoutAFinishReasonIsAnInterruption() {
        // What llama-cpp-python sends when another request interrupts a stream, before
        // closing the connection without ending its chunked body.
        let recorder = ChunkRecorder()
        let receiver = streamReceiver("data: {\"choices\": [{\"text\": \"Once\", \"finish_reason\": null}]}\n\ndata: [DONE]\n\n",
                                      recorder: recorder)
        let context = AnswerContext(endpoint: "http://h/v1/completions", apiKey: nil, isChat: false, requestedModel: "m")
        #expect {
            try context.streamedCompletion(
                from: receiver.outcome, deliveredChunks: receiver.deliveredChunks,
                failure: .connectionLost(reason: "the server closed the connection before the answer was complete"),
                onChunk: recorder.callback)
        } throws: { error in
            guard case let InferenceError.streamInterrupted(_, 1, reason) = error else { return false }
            return reason.hasPrefix("the server ended the stream ([DONE]) without a finish reason")
        }
    }

    @Test func losingTheConnectionAfterTheFinishReasonLosesNothing() throws {
        let recorder = ChunkRecorder()
        let receiver = streamReceiver("data: {\"model\": \"m\", \"choices\": [{\"text\": \"Whole\", \"finish_reason\": \"stop\"}]}\n\n",
                                      recorder: recorder)
        let context = AnswerContext(endpoint: "http://h/v1/completions", apiKey: nil, isChat: false, requestedModel: "m")
        let completion = try context.streamedCompletion(
            from: receiver.outcome, deliveredChunks: receiver.deliveredChunks,
            failure: .connectionLost(reason: "the server closed the connection before the answer was complete"),
            onChunk: recorder.callback)
        #expect(completion == Completion(text: "Whole", finishReason: "stop", model: "m",
                                         usage: TokenUsage(promptTokens: 0, completionTokens: 1)))
    }

    @Test func malformedEventAfterTextInterruptsTheStream() {
        let recorder = ChunkRecorder()
        let receiver = CompletionStreamReceiver(bodyLimit: 1 << 20, onChunk: recorder.callback)
        _ = receiver.receive(head: HTTPResponseHead(status: 200, headers: [HTTPHeader(name: "content-type", value: "text/event-stream; charset=utf-8")]))
        let stream = "data: {\"choices\": [{\"text\": \"a\"}]}\n\ndata: {oops\n\ndata: {\"choices\": [{\"text\": \"b\"}]}\n\n"
        let decision = Array(stream.utf8).withUnsafeBytes { receiver.receive(body: $0) }
        #expect(decision == .stop)
        #expect(recorder.chunks == ["a"])
        let context = AnswerContext(endpoint: "http://h/v1/completions", apiKey: nil, isChat: false, requestedModel: "m")
        #expect {
            try context.streamedCompletion(from: receiver.outcome, deliveredChunks: receiver.deliveredChunks, failure: nil,
                                           onChunk: recorder.callback)
        } throws: { error in
            guard case let InferenceError.streamInterrupted(_, 1, reason) = error else { return false }
            return reason.contains("event 2 of the stream is not a completion chunk")
        }
    }
}

/// `Retry-After` values.
@Suite("Retry-After")
struct RetryAfterTests {
    private let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test(arguments: [
        ("120", Duration.seconds(120)),
        (" 0 ", .zero),
        ("Sun, 06 Nov 1994 08:50:07 GMT", .seconds(30)),
        ("Sunday, 06-Nov-94 08:51:37 GMT", .seconds(120)),
        ("Sun Nov  6 08:49:47 1994", .seconds(10)),
        ("Sat, 05 Nov 1994 08:49:37 GMT", .zero),
    ])
    func parses(value: String, expected: Duration) {
        #expect(RetryAfter.delay(from: value, now: now) == expected)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "99999999999999999999999"])
    func rejects(value: String) {
        #expect(RetryAfter.delay(from: value, now: now) == nil)
    }
}

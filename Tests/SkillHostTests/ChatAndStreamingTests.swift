import Foundation
import InferenceDriver
@testable import ProcessIsolation
import Registry
import SkillABI
@testable import SkillRuntime
import SkillhostModel
import TestSupport
import Testing

/// ABI 1.1 (`chat`, `SKILL_COMPLETE_STREAM`) and live run events, each checked with both
/// runners: on a thread of this process, and in a real worker process.
@Suite("Chat, streamed completions and run events")
struct ChatAndStreamingTests {
    /// Runs `fixture` on `input` with `recorder` as the event sink, and marks the report's arrival.
    private func run(_ runner: any SkillRunner, _ fixture: String, input: String, recorder: RunEventRecorder,
                     timeout: Duration = .seconds(20)) async throws -> InvocationReport
    {
        let report = await runner.run(
            skillPath: try await FixtureSkills.path(for: fixture), sha256: fixture,
            invocation: Invocation(input: Array(input.utf8), model: nil, timeout: timeout, events: recorder.sink))
        recorder.reportArrived()
        return report
    }

    private func failureOf(_ report: InvocationReport) -> InvocationFailure? {
        if case let .failure(failure) = report.outcome { return failure }
        return nil
    }

    @Test("streamed model text reaches the events in order, before the report, and is the output",
          arguments: Isolation.allCases)
    func streamedCompletion(isolation: Isolation) async throws {
        let inference = ScriptedInference(.answer(delay: .zero))
        let recorder = RunEventRecorder()
        let report = try await isolation.withRunner(inference: inference) { runner in
            try await run(runner, "streams_completion", input: "abcdefghij", recorder: recorder)
        }
        let request = try #require(inference.receivedRequests.first)
        #expect(request.input == .text("abcdefghij"))
        #expect(request.maxTokens == 24)
        #expect(recorder.outputChunks == ScriptedInference.chunks(of: request))
        #expect(recorder.outputChunks.count >= 2)
        #expect(try report.outcome.get() == "jihgfedcba\n[10 bytes]", "*result holds the whole text")
        #expect(report.usage.completionTokens == 7)
        #expect(recorder.late.isEmpty)
    }

    @Test("write_output chunks are events, the returned bytes are not", arguments: Isolation.allCases)
    func writtenChunks(isolation: Isolation) async throws {
        let recorder = RunEventRecorder()
        let report = try await isolation.withRunner(inference: ScriptedInference(.answer(delay: .zero))) { runner in
            try await run(runner, "streams", input: "", recorder: recorder)
        }
        #expect(try report.outcome.get() == "[1,2,3]")
        #expect(recorder.events == [.output(Array("[1,".utf8)), .output(Array("2,".utf8))])
    }

    @Test("output and kept log lines reach the events in order, and none after a trap ended the run",
          arguments: Isolation.allCases)
    func eventsStopAtTheTrap(isolation: Isolation) async throws {
        var limits = InvocationLimits()
        limits.maximumLogLines = 10
        let recorder = RunEventRecorder()
        let path = try await FixtureSkills.path(for: "writes_until_aborted")
        let report = try await isolation.withRunner(inference: ScriptedInference(.answer(delay: .zero)), limits: limits) {
            runner in
            let running = Task {
                await runner.run(skillPath: path, sha256: "writes_until_aborted",
                                 invocation: Invocation(input: [], model: nil, timeout: .seconds(120), events: recorder.sink))
            }
            // Cancelling traps the run once the skill has been at it for a while (a worker
            // may take seconds to start on a busy machine).
            let patience = ContinuousClock.now + .seconds(60)
            while recorder.events.count < 30, ContinuousClock.now < patience {
                try await Task.sleep(for: .milliseconds(20))
            }
            running.cancel()
            let report = await running.value
            recorder.reportArrived()
            // The skill (in process) or its killed worker may still be at it: give it time.
            try await Task.sleep(for: .milliseconds(300))
            return report
        }
        #expect(failureOf(report)?.kind == .cancelled, "\(report.outcome)")
        // "." and "tick" alternate until ten lines are kept; then the lines are dropped from
        // the events as from the report, and only the output goes on.
        let dot = RunEvent.output(Array(".".utf8))
        let tick = RunEvent.log(RunLogLine(level: .info, message: "tick"))
        let events = recorder.events
        let expected = Array(repeatElement([dot, tick], count: 10).joined())
            + Array(repeating: dot, count: max(events.count - 20, 0))
        #expect(events.count > 20)
        #expect(events == Array(expected.prefix(events.count)))
        #expect(recorder.logLines == report.logs.filter { $0.level == .info }, "the events and the report agree")
        #expect(report.logs.last?.message.hasSuffix("more log lines were dropped") == true)
        #expect(recorder.late.isEmpty, "\(recorder.late.count) events after the report")
    }

    @Test("the output limit holds for streamed text", arguments: Isolation.allCases)
    func streamedOutputLimit(isolation: Isolation) async throws {
        var limits = InvocationLimits()
        limits.maximumOutputBytes = 4
        let recorder = RunEventRecorder()
        let report = try await isolation.withRunner(inference: ScriptedInference(.answer(delay: .zero)), limits: limits) {
            try await run($0, "streams_completion", input: "abcdefghij", recorder: recorder)
        }
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .skillFailed)
        #expect(failure.description.contains("larger than the limit of 4 bytes"), "\(failure)")
        #expect(recorder.outputChunks == ["jih"], "only what fits was published")
        #expect(recorder.late.isEmpty)
    }

    @Test("chat sends the roles, the contents and the parameters, and returns the reply", arguments: Isolation.allCases)
    func chat(isolation: Isolation) async throws {
        let inference = ScriptedInference(.answer(delay: .zero))
        let recorder = RunEventRecorder()
        let (structured, raw) = try await isolation.withRunner(inference: inference) { runner in
            (try await run(runner, "chats", input: #"{"system":"Be brief.","user":"Hi there"}"#, recorder: recorder),
             try await run(runner, "chats", input: "Just text", recorder: recorder))
        }
        let requests = inference.receivedRequests
        try #require(requests.count == 2)
        #expect(requests[0].input == .chat([ChatMessage(role: "system", content: "Be brief."),
                                            ChatMessage(role: "user", content: "Hi there")]))
        #expect(requests[0].maxTokens == 48)
        #expect(requests[0].temperature == 0.5)
        #expect(requests[0].stop == ["<end>"])
        #expect(requests[0].topP == nil && requests[0].topK == nil && requests[0].model == nil)
        #expect(try structured.outcome.get() == String("system: Be brief.\nuser: Hi there".reversed()))
        #expect(requests[1].input == .chat([ChatMessage(role: "user", content: "Just text")]))
        #expect(try raw.outcome.get() == "txet tsuJ :resu")
        #expect(recorder.events.isEmpty, "a chat without SKILL_COMPLETE_STREAM writes no output")
    }

    @Test("a model no endpoint serves is an invalid call of chat", arguments: Isolation.allCases)
    func unknownModel(isolation: Isolation) async throws {
        let inference = ScriptedInference(.fail(.unknownModel(name: "nope", known: ["gemma"])))
        let report = try await isolation.withRunner(inference: inference) {
            try await run($0, "chats", input: "hi", recorder: RunEventRecorder())
        }
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .invalidCSICall, "\(failure)")
        #expect(failure == .invalidCSICall(function: "chat", reason: InferenceError.unknownModel(name: "nope", known: ["gemma"]).description))
    }

    @Test("a model without a chat template fails the run as inference_failed, saying so", arguments: Isolation.allCases)
    func noChatTemplate(isolation: Isolation) async throws {
        let error = InferenceError.noChatTemplate(endpoint: "http://127.0.0.1:8080/v1/chat/completions", model: "gemma-3-270m")
        let report = try await isolation.withRunner(inference: ScriptedInference(.fail(error))) {
            try await run($0, "chats", input: "hi", recorder: RunEventRecorder())
        }
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .inferenceFailed)
        #expect(failure.description.contains("no chat template"), "\(failure)")
        #expect(failure.description.contains("gemma-3-270m"), "\(failure)")
    }

    /// Invalid arguments of `chat` and of the 1.1 params, with what the message must say.
    static let chatMisuses: [(input: String, reason: String)] = [
        ("chat_no_messages", "message_count is 0"),
        ("chat_null_messages", "messages is NULL but message_count is 2"),
        ("chat_null_role", "messages[0].role has data NULL but len 5"),
        ("chat_empty_role", "messages[0].role is empty"),
        ("chat_bad_utf8", "messages[0].content is not valid UTF-8"),
        ("params_flags", "params.flags has unknown bits 0x80"),
    ]

    @Test("invalid chat arguments and unknown flags trap the run as invalid_csi_call",
          arguments: Isolation.allCases, chatMisuses.indices)
    func chatMisuse(isolation: Isolation, index: Int) async throws {
        let (input, reason) = Self.chatMisuses[index]
        let inference = ScriptedInference(.answer(delay: .zero))
        let report = try await isolation.withRunner(inference: inference) {
            try await run($0, "csi_misuse", input: input, recorder: RunEventRecorder())
        }
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .invalidCSICall, "\(failure)")
        #expect(failure.description.contains(reason), "\(failure)")
        #expect(inference.requests == 0, "nothing was sent")
    }

    @Test("a skill built for ABI 1.0 loads and completes; its smaller params are read without flags",
          arguments: Isolation.allCases)
    func abi10Skill(isolation: Isolation) async throws {
        let manifest = try SkillLoader.inspect(path: try await FixtureSkills.path(for: "complete_abi_1_0"))
        #expect(manifest.abiMajor == 1 && manifest.abiMinor == 0)
        let inference = ScriptedInference(.answer(delay: .zero))
        let recorder = RunEventRecorder()
        let report = try await isolation.withRunner(inference: inference) {
            try await run($0, "complete_abi_1_0", input: "abc", recorder: recorder)
        }
        #expect(try report.outcome.get() == "cba")
        #expect(inference.receivedRequests.map(\.maxTokens) == [8])
        #expect(recorder.events.isEmpty, "no flags, no streaming")
    }

    @Test("the Swift example skill streams with \"stream\": true and answers JSON otherwise",
          arguments: Isolation.allCases)
    func exampleSkill(isolation: Isolation) async throws {
        let path = try BuildProducts.plugin(named: "complete")
        let recorder = RunEventRecorder()
        // 60 s deadlines: alone this takes well under a second, but beside the whole suite on
        // two cores a worker's start and the Swift runtime's load have passed 20 s (twice).
        let (streamed, plain) = try await isolation.withRunner(inference: ScriptedInference(.answer(delay: .zero))) { runner in
            let streamed = await runner.run(
                skillPath: path, sha256: "complete-plugin",
                invocation: Invocation(input: Array(#"{"prompt":"abcdefg","max_tokens":5,"stream":true}"#.utf8),
                                       model: nil, timeout: .seconds(60), events: recorder.sink))
            recorder.reportArrived()
            let plain = await runner.run(
                skillPath: path, sha256: "complete-plugin",
                invocation: Invocation(input: Array(#"{"prompt":"abc"}"#.utf8), model: nil, timeout: .seconds(60)))
            return (streamed, plain)
        }
        #expect(try streamed.outcome.get() == "gfedcba")
        #expect(recorder.outputChunks == ["gfe", "dcb", "a"])
        #expect(recorder.logLines == [RunLogLine(level: .info, message: "7 prompt tokens, 7 completion tokens")])
        #expect(try plain.outcome.get() == #"{"completion":"cba","completion_tokens":7,"prompt_tokens":3}"#)
    }

    @Test("against llama.cpp: a streamed completion in a worker sends output events before the report")
    func realServerStreams() async throws {
        let client = OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: try ModelServer.baseURL()))
        let recorder = RunEventRecorder()
        let report = try await Isolation.process.withRunner(inference: client) {
            try await run($0, "streams_completion", input: "Once upon a time, in a small village,", recorder: recorder,
                          timeout: .seconds(120))
        }
        let output = try report.outcome.get()
        let streamed = recorder.outputChunks.joined()
        #expect(recorder.outputChunks.count >= 2, "one event per token: \(recorder.outputChunks)")
        #expect(output == streamed + "\n[\(streamed.utf8.count) bytes]", "the whole text equals the streamed pieces")
        #expect(report.usage.completionTokens == 0 || report.usage.completionTokens <= 24)
        #expect(recorder.late.isEmpty)
    }

    @Test("against llama.cpp: chat with a base model (no chat template) fails as inference_failed, saying so")
    func realServerCannotChat() async throws {
        let client = OpenAICompatibleClient(endpoint: InferenceEndpoint(baseURL: try ModelServer.baseURL()))
        let report = try await Isolation.inProcess.withRunner(inference: client) {
            // A user message alone: with a system message, llama-cpp-python falls back to a
            // Llama 2 template and the base model rambles on.
            try await run($0, "chats", input: "Say hello.", recorder: RunEventRecorder(), timeout: .seconds(120))
        }
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .inferenceFailed, "\(failure)")
        #expect(failure.description.contains("no chat template"), "\(failure)")
    }
}

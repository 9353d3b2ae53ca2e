import Foundation
import JSON
import Registry
import SkillhostModel
import Synchronization
import TestSupport
import Testing

/// `skills.run` with `stream: true` through the real daemon and socket: `run.output` and
/// `run.log` notifications before the response, `skillctl run --stream`, and a client that
/// goes away cancelling its run down to the HTTP request.
@Suite("Streamed runs through the real daemon")
struct StreamedRunTests {
    /// The notifications a client received, in order.
    private final class Received: Sendable {
        private let notifications = Mutex<[(method: String, params: JSONValue)]>([])

        func append(_ method: String, _ params: JSONValue?) {
            notifications.withLock { $0.append((method, params ?? .null)) }
        }

        /// The params of the notifications of `method` about run `runID`, in order.
        func params(of method: String, runID: JSONValue?) -> [JSONValue] {
            notifications.withLock { $0.filter { $0.method == method && $0.params["run_id"] == runID }.map(\.params) }
        }

        var count: Int { notifications.withLock(\.count) }
    }

    private let nowhere = URL(string: "http://127.0.0.1:9")!

    @Test("run.output and run.log come before the response; the chunks joined are the run's output",
          arguments: ["process", "inprocess"])
    func notificationsBeforeResponse(isolation: String) async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        for skill in [try await FixtureSkills.path(for: "streams"), try BuildProducts.plugin(named: "hello")] {
            #expect(try await daemon.skillctl("install", skill, "--isolation", isolation).status == 0)
        }
        let received = Received()
        let client = try daemon.client { method, params in received.append(method, params) }
        defer { client.close() }

        // The client's reader thread hands over each notification before it resumes the
        // call with the response that follows it: everything counted here came first.
        let streamed = try await client.call("skills.run", params: ["skill": "streams", "stream": true])
        let chunks = received.params(of: "run.output", runID: streamed["run_id"]).compactMap { $0["chunk"]?.stringValue }
        #expect(chunks == ["[1,", "2,", "3]"], "two written chunks, then the returned rest")
        #expect(streamed["output"] == [1, 2, 3], "the response still holds the whole output")

        let greeted = try await client.call("skills.run", params: ["skill": "hello", "input": ["name": "Ada"], "stream": true])
        let logs = received.params(of: "run.log", runID: greeted["run_id"])
        #expect(logs == [["run_id": greeted["run_id"]!, "level": "info", "message": "greeted"]])
        let output = received.params(of: "run.output", runID: greeted["run_id"]).compactMap { $0["chunk"]?.stringValue }
        #expect(try JSONValue(parsing: output.joined()) == greeted["output"])

        let before = received.count
        _ = try await client.call("skills.run", params: ["skill": "streams"])
        #expect(received.count == before, "no notifications without stream")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("skillctl run --stream prints the chunks as they come, the log lines on stderr, and the exit status")
    func skillctlStream() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "streams")).status == 0)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "failing")).status == 0)

        let streams = try await daemon.skillctl("run", "streams", "--stream")
        #expect(streams.status == 0)
        #expect(streams.standardOutput == "[1,2,3]\n")
        let hello = try await daemon.skillctl("run", "hello", #"{"name":"Ada"}"#, "--stream")
        #expect(hello.status == 0)
        #expect(try JSONValue(parsing: hello.standardOutput)["greeting"] != nil, "\(hello.standardOutput)")
        #expect(hello.standardError == "info    greeted\n")

        let json = try await daemon.skillctl("--json", "run", "streams", "--stream")
        let lines = json.standardOutput.split(separator: "\n").map { try? JSONValue(parsing: String($0)) }
        #expect(lines.count == 4, "three notifications, then the result: \(json.standardOutput)")
        #expect(lines.prefix(3).allSatisfy { $0?["method"] == "run.output" })
        #expect(lines.last??["output"] == [1, 2, 3])

        let failing = try await daemon.skillctl("run", "failing", "--stream")
        #expect(failing.status == 1)
        #expect(failing.standardError.contains("error: "), "\(failing.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("run --stream: a log line after output that stopped mid-line starts a line of its own where both streams meet")
    func logLineAfterUnfinishedOutput() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "writes_then_logs")).status == 0)

        let apart = try await daemon.skillctl("run", "writes-then-logs", "--stream")
        #expect(apart.status == 0, "\(apart.standardError)")
        #expect(apart.standardOutput == "and they were tired\n", "the output's line ended once it is over")
        #expect(apart.standardError == "info    6 prompt tokens, 5 completion tokens\n")

        // Both streams into one pipe, as `2>&1` or a terminal has them.
        let merged = try ChildProcess(
            "/bin/sh", arguments: ["-c", #"exec "$0" "$@" 2>&1"#, try BuildProducts.skillctl(), "--socket", daemon.socketPath,
                                   "run", "writes-then-logs", "--stream"],
            standardOutput: .pipe, standardError: .null)
        let text = try await merged.readAll(from: .standardOutput)
        #expect(try await merged.wait() == .exited(0))
        #expect(text == "and they were tired\ninfo    6 prompt tokens, 5 completion tokens\n", "\(text)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("against llama.cpp: a streamed completion reaches the client as several run.output notifications")
    func streamedCompletion() async throws {
        let daemon = try await DaemonHarness(inferenceURL: try ModelServer.baseURL())
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let received = Received()
        let client = try daemon.client { method, params in received.append(method, params) }
        defer { client.close() }
        let input: JSONValue = ["prompt": "Once upon a time", "max_tokens": 24, "temperature": 0, "stream": true]
        let result = try await client.call("skills.run", params: ["skill": "complete", "input": input, "stream": true,
                                                                  "timeout_ms": 120_000])
        let chunks = received.params(of: "run.output", runID: result["run_id"]).compactMap { $0["chunk"]?.stringValue }
        #expect(chunks.count >= 2, "the model's tokens come one by one: \(chunks)")
        #expect(.string(chunks.joined()) == result["output"], "joined, the chunks are the run's output")
        let logs = received.params(of: "run.log", runID: result["run_id"])
        #expect(logs.first?["message"]?.stringValue?.contains("completion tokens") == true, "\(logs)")
        // llama-cpp-python's server sends no usage in a stream: the prompt's tokens are still counted.
        #expect(logs.first?["message"]?.stringValue?.hasPrefix("0 prompt tokens") == false, "\(logs)")
        #expect((result["usage"]?["prompt_tokens"]?.int64Value ?? 0) > 0, "\(result)")
        let runID = try #require(result["run_id"]?.int64Value)
        #expect((try daemon.registry().run(id: runID)?.usage.promptTokens ?? 0) > 0, "the registry records them too")

        let printed = try await daemon.skillctl("run", "complete", input.serialized(), "--stream", "--timeout", "120")
        #expect(printed.status == 0, "\(printed.standardError)")
        #expect(printed.standardOutput.count > 1 && printed.standardOutput.hasSuffix("\n"))
        #expect(printed.standardError.contains("completion tokens"))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a client that disconnects cancels its streamed run and the model request in flight")
    func disconnectCancels() async throws {
        let server = try await FaultServer.start(mode: .stall)
        defer { server.stop() }
        let daemon = try await DaemonHarness(inferenceURL: server.baseURL, arguments: ["--request-timeout-ms", "120000"])
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let client = try daemon.client()
        let call = Task {
            try await client.call("skills.run", params: ["skill": "complete", "input": ["prompt": "wait for me"], "stream": true,
                                                 "timeout_ms": 120_000])
        }
        let runID = try await daemon.waitForRunningRun()
        let deadline = ContinuousClock.now + .seconds(20)
        while try await server.stats().completionRequests == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await server.stats().completionRequests == 1, "the request reached the model server")

        client.close()
        _ = await call.result
        var record = try daemon.registry().run(id: runID)
        while record?.status == .running, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            record = try daemon.registry().run(id: runID)
        }
        #expect(record?.status == .cancelled, "recorded as \(String(describing: record?.status))")
        var hangUps = try await server.stats().stallClientDisconnects
        while hangUps == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            hangUps = try await server.stats().stallClientDisconnects
        }
        #expect(hangUps == 1, "the daemon closed its HTTP connection to the model server")
        #expect(try await daemon.stop() == .exited(0))
    }
}

import Foundation
import Glibc
import JSONRPC
import Registry
import SkillhostModel
import TestSupport
import Testing

/// The mission path for real: real skill .so files installed through the real daemon over
/// its socket, run against the real llama.cpp server with Gemma 3 270M, recorded in the
/// real SQLite file.
@Suite("Main job against the real model", .serialized)
struct MainJobTests {
    @Test("install both example skills, run them, and find the runs in the registry")
    func installAndRun() async throws {
        let daemon = try await DaemonHarness(inferenceURL: try ModelServer.baseURL())

        for plugin in ["hello", "complete"] {
            let install = try await daemon.skillctl("--json", "install", try BuildProducts.plugin(named: plugin))
            #expect(install.status == 0, "\(install.standardError)")
            #expect(try install.json()["outcome"] == "installed")
        }
        let again = try await daemon.skillctl("--json", "install", try BuildProducts.plugin(named: "hello"))
        #expect(try again.json()["outcome"] == "unchanged", "installing the same bytes twice is idempotent")

        let list = try await daemon.skillctl("list")
        #expect(list.standardOutput.contains("hello") && list.standardOutput.contains("complete"))

        let hello = try await daemon.skillctl("--json", "run", "hello", #"{"name":"Ada"}"#)
        #expect(hello.status == 0, "\(hello.standardError)")
        #expect(try hello.json()["output"] == ["greeting": "Hello, Ada!"])
        let helloRun = try #require(try hello.json()["run_id"]?.int64Value)
        let logs = try await daemon.skillctl("logs", String(helloRun))
        #expect(logs.status == 0, "\(logs.standardError)")
        #expect(logs.standardOutput == "INFO    greeted\n", "the line hello logged with host->log")
        #expect(try daemon.registry().logs(runID: helloRun) == [RunLogLine(level: .info, message: "greeted")])

        let prompt = #"{"prompt":"The capital of France is","max_tokens":16,"temperature":0}"#
        let completion = try await daemon.skillctl("--json", "run", "complete", prompt, "--timeout", "120")
        #expect(completion.status == 0, "\(completion.standardError)\n\(daemon.log())")
        let result = try completion.json()
        let text = try #require(result["output"]?["completion"]?.stringValue)
        #expect(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "the model wrote something")
        #expect((result["usage"]?["completion_tokens"]?.int64Value ?? 0) > 0)
        #expect((result["usage"]?["prompt_tokens"]?.int64Value ?? 0) > 0)
        let runID = try #require(result["run_id"]?.int64Value)

        let record = try #require(try daemon.registry().run(id: runID))
        #expect(record.status == .succeeded)
        #expect(record.skillName == "complete")
        #expect(record.callerUID == getuid())
        #expect(record.trigger == "rpc")
        #expect(record.output?.contains(text.unicodeScalars.first.map(String.init) ?? "") == true)
        #expect(record.usage.completionTokens > 0)
        #expect(record.finishedAt != nil && record.duration != nil)

        let shown = try await daemon.skillctl("runs", "show", String(runID))
        #expect(shown.status == 0)
        #expect(shown.standardOutput.contains("succeeded"))

        #expect(try await daemon.stop() == .exited(0))
    }
}

import Foundation
import JSONRPC
import Testing
import TestSupport

/// Failover through the real daemon: one model served by two real llama.cpp servers, one of
/// which is killed while runs are in flight.
@Suite("Failover between two real model servers", .serialized, .timeLimit(.minutes(10)))
struct FailoverTests {
    @Test("runs keep succeeding on the surviving server when the other is killed mid-test")
    func killOneServer() async throws {
        let directory = try TemporaryDirectory(prefix: "failover")
        let first = try await GuardedModelServer.start(log: directory.path("first.log"))
        defer { first.stop() }
        let second = try await GuardedModelServer.start(log: directory.path("second.log"))
        defer { second.stop() }
        let config = directory.path("config.json")
        try Data(#"""
            {"models": {"gemma": {"endpoints": [
                {"name": "first", "url": "\#(first.baseURL.absoluteString)"},
                {"name": "second", "url": "\#(second.baseURL.absoluteString)"}]}},
             "request_timeout_ms": 60000}
            """#.utf8).write(to: URL(fileURLWithPath: config))
        let daemon = try await DaemonHarness(inferenceURL: nil, arguments: ["--config", config], directory: directory)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)

        let prompt = #"{"prompt":"The capital of France is","max_tokens":6,"temperature":0}"#
        @Sendable func run() async throws -> DaemonHarness.CommandResult {
            try await daemon.skillctl("--json", "run", "complete", prompt, "--timeout", "120")
        }
        func runConcurrently(_ count: Int, during action: (() async throws -> Void)? = nil) async throws -> [DaemonHarness.CommandResult] {
            try await withThrowingTaskGroup(of: DaemonHarness.CommandResult.self) { group in
                for _ in 0..<count { group.addTask { try await run() } }
                try await action?()
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        func requests(_ name: String) async throws -> Int64 {
            let status = try await daemon.call("inference.status")
            let endpoint = status["endpoints"]?.arrayValue?.first { $0["name"]?.stringValue == name }
            return try #require(endpoint?["requests"]?.int64Value)
        }

        for result in try await runConcurrently(4) {
            #expect(result.status == 0, "\(result.standardError)")
        }
        let (firstServed, secondServed) = (try await requests("first"), try await requests("second"))
        #expect(firstServed > 0 && secondServed > 0, "both servers took runs")

        // Kill the first server once it has a request in flight; every run still succeeds.
        let results = try await runConcurrently(6) {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while clock.now < deadline {
                let status = try await daemon.call("inference.status")
                let busy = status["endpoints"]?.arrayValue?.first { $0["name"]?.stringValue == "first" }?["outstanding"]?.int64Value ?? 0
                if busy > 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            first.killServer()
        }
        for result in results {
            #expect(result.status == 0, "a run failed although another server was up: \(result.standardError)")
            let text = try result.json()["output"]?["completion"]?.stringValue ?? ""
            #expect(!text.isEmpty, "the model wrote something")
        }

        let table = try await daemon.skillctl("inference")
        let firstLine = try #require(table.standardOutput.split(separator: "\n").first { $0.hasPrefix("first ") })
        #expect(firstLine.contains("unhealthy"), "\(table.standardOutput)")
        let survivorBefore = try await requests("second")
        let killedBefore = try await requests("first")
        for result in try await runConcurrently(3) {
            #expect(result.status == 0, "\(result.standardError)")
        }
        #expect(try await requests("second") >= survivorBefore + 3, "later runs went to the survivor")
        #expect(try await requests("first") == killedBefore, "no run was sent to the dead server")
        #expect(try await daemon.stop() == .exited(0))
    }
}

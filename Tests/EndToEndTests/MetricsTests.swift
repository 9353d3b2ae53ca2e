import Foundation
import JSON
import Registry
import TestSupport
import Testing

/// `host.metrics` from the real daemon, checked by what was run and read by Prometheus's own
/// tools: `promtool check metrics` and `prometheus_client`'s parser.
@Suite("Metrics end to end", .serialized)
struct MetricsTests {
    /// No inference server: these skills never call one.
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    @Test("runs move the counters by exactly the runs made; promtool and prometheus_client accept the text")
    func metricsAfterRuns() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "failing")).status == 0)
        let before = try await daemon.call("host.metrics")
        #expect(before["content_type"] == "text/plain; version=0.0.4")
        #expect(try Self.samples(in: before)["skillhost_runs_total"] == nil, "no run yet")

        for number in 0..<3 {
            let run = try await daemon.skillctl("run", "echo", #"{"n":\#(number)}"#)
            #expect(run.status == 0, "\(run.standardError)")
        }
        #expect(try await daemon.skillctl("run", "failing").status != 0)
        await #expect(throws: (any Error).self) { try await daemon.call("no.such.method") }

        let after = try await daemon.call("host.metrics")
        let samples = try Self.samples(in: after)
        let failedStatus = try #require(try daemon.registry().runs(matching: RunQuery(skillName: "failing")).first?.status)
        #expect(samples["skillhost_runs_total", default: [:]] == [
            #"skill="echo",status="succeeded""#: 3,
            #"skill="failing",status="\#(failedStatus.rawValue)""#: 1,
        ])
        #expect(samples["skillhost_run_duration_seconds_count"]?[#"skill="echo""#] == 3)
        #expect(samples["skillhost_run_duration_seconds_bucket"]?[#"skill="echo",le="+Inf""#] == 3)
        #expect(samples["skillhost_runs_in_flight"]?[""] == 0)
        #expect(samples["skillhost_rpc_requests_total"]?[#"method="host.metrics",code="ok""#] == 1, "the first call, not this one")
        #expect(samples["skillhost_rpc_requests_total"]?[#"method="other",code="-32601""#] == 1)
        #expect(samples["skillhost_rpc_requests_total"]?.keys.contains { $0.contains("no.such.method") } == false)
        let started = try #require(samples["process_start_time_seconds"]?[""])
        #expect(abs(started - Date().timeIntervalSince1970) < 300, "started \(started)")
        #expect((samples["process_open_fds"]?[""] ?? 0) > 3)
        #expect((samples["process_resident_memory_bytes"]?[""] ?? 0) > 1_000_000)

        let text = try #require(after["text"]?.stringValue)
        let file = daemon.directory.path("metrics.txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))

        let promtool = try await ProgramRun.run("/bin/sh", ["-c", #"promtool check metrics < "$1""#, "sh", file])
        #expect(promtool.succeeded, "\(promtool)")
        #expect(promtool.standardOutput.isEmpty && promtool.standardError.isEmpty, "lint problems: \(promtool)")

        let parsed = try await ProgramRun.run(Self.python, [
            BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/parse_metrics.py").path, file,
        ])
        #expect(parsed.succeeded, "\(parsed)")
        let families = try JSONValue(parsing: parsed.standardOutput)
        #expect(families["skillhost_runs"]?["type"] == "counter")
        #expect(families["skillhost_run_duration_seconds"]?["type"] == "histogram")
        #expect(families["process_cpu_seconds"]?["type"] == "counter")
        let runSamples = families["skillhost_runs"]?["samples"]?.arrayValue ?? []
        #expect(runSamples.compactMap { $0.arrayValue?.last?.doubleValue }.reduce(0, +) == 4, "\(runSamples)")

        let printed = try await daemon.skillctl("metrics")
        #expect(printed.status == 0, "\(printed.standardError)")
        #expect(printed.standardOutput.contains("\nskillhost_runs_total{skill=\"echo\",status=\"succeeded\"} 3\n"),
                "\(printed.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("inference attempts, endpoint health and tokens, against a fault server that answers")
    func inferenceMetrics() async throws {
        let server = try await FaultServer.start(mode: .ok)
        defer { server.stop() }
        let daemon = try await DaemonHarness(inferenceURL: server.baseURL)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        for prompt in ["one", "two"] {
            let run = try await daemon.skillctl("run", "complete", #"{"prompt":"\#(prompt)"}"#)
            #expect(run.status == 0, "\(run.standardError)")
        }

        let samples = try Self.samples(in: try await daemon.call("host.metrics"))
        let attempts = samples["skillhost_inference_requests_total", default: [:]]
        #expect(attempts.count == 1 && attempts.keys.first?.hasSuffix(#",outcome="succeeded""#) == true, "\(attempts)")
        #expect(attempts.values.first == 2)
        #expect(try await server.stats().completionRequests == 2)
        let series = try #require(attempts.keys.first?.replacingOccurrences(of: #",outcome="succeeded""#, with: ""))
        #expect(samples["skillhost_inference_request_duration_seconds_count"]?[series] == 2)
        #expect(samples["skillhost_inference_endpoint_healthy"]?[series] == 1)

        let runs = try daemon.registry().runs(matching: RunQuery(skillName: "complete"))
        let model = try #require(runs.first?.model)
        let prompt = runs.map(\.usage.promptTokens).reduce(0, +), completion = runs.map(\.usage.completionTokens).reduce(0, +)
        #expect(prompt > 0 && completion > 0, "the fault server reports usage")
        #expect(samples["skillhost_tokens_total"]?[#"model="\#(model)",kind="prompt""#] == Double(prompt))
        #expect(samples["skillhost_tokens_total"]?[#"model="\#(model)",kind="completion""#] == Double(completion))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("workers: spawned, idle, and a crash counted once")
    func workerMetrics() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", "--isolation", "process", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("install", "--isolation", "process", try await FixtureSkills.path(for: "segfaults")).status == 0)
        #expect(try await daemon.skillctl("run", "echo", "{}").status == 0)
        let before = try Self.samples(in: try await daemon.call("host.metrics"))
        #expect(before["skillhost_workers_crashed_total"]?[""] == 0)
        #expect((before["skillhost_workers_spawned_total"]?[""] ?? 0) >= 1)

        let crash = try await daemon.skillctl("run", "segfaults", "{}")
        #expect(crash.status != 0)
        let after = try Self.samples(in: try await daemon.call("host.metrics"))
        #expect(after["skillhost_workers_crashed_total"]?[""] == 1)
        #expect(after["skillhost_runs_total"]?[#"skill="segfaults",status="crashed""#] == 1)
        #expect(after["skillhost_workers"]?[#"state="busy""#] == 0, "no run in flight")
        #expect((after["skillhost_workers"]?[#"state="idle""#] ?? 0) >= 1, "echo's worker waits for its next run")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("batch item attempts by status and schedule fires by outcome")
    func batchAndScheduleMetrics() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "failing")).status == 0)
        let echoed = try await daemon.skillctl("batch", "start", "echo", "-", standardInput: "1\n2\n3\n")
        #expect(echoed.status == 0, "\(echoed.standardError)")
        let failed = try await daemon.skillctl("batch", "start", "failing", "-", "--retries", "0", standardInput: "1\n")
        #expect(failed.status != 0)

        let added = try await daemon.skillctl("--json", "schedules", "add", "echo", "--cron", "0 0 1 1 *", "--tz", "UTC", "{}")
        #expect(added.status == 0, "\(added.standardError)")
        let id = try #require(try added.json()["schedule_id"]?.int64Value)
        for _ in 0..<2 {
            #expect(try await daemon.skillctl("schedules", "trigger", String(id)).status == 0)
        }

        let samples = try Self.samples(in: try await daemon.call("host.metrics"))
        #expect(samples["skillhost_batch_item_attempts_total", default: [:]] == [#"status="succeeded""#: 3, #"status="failed""#: 1])
        #expect(samples["skillhost_schedule_fires_total", default: [:]] == [#"outcome="started""#: 2])
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The samples of a `host.metrics` answer, by name then by their labels as written.
    private static func samples(in answer: JSONValue) throws -> [String: [String: Double]] {
        let text = try #require(answer["text"]?.stringValue)
        var samples: [String: [String: Double]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let value = try #require(line.split(separator: " ").last.flatMap { Double($0) }, "\(line)")
            let series = line[..<line.lastIndex(of: " ")!]
            if let brace = series.firstIndex(of: "{") {
                samples[String(series[..<brace]), default: [:]][String(series[series.index(after: brace)..<series.index(before: series.endIndex)])] = value
            } else {
                samples[String(series), default: [:]][""] = value
            }
        }
        return samples
    }

    /// The Python of scripts/setup's virtual environment, which has prometheus_client.
    private static var python: String {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["SKILLHOST_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/skillhost"
        return cache + "/venv/bin/python"
    }
}

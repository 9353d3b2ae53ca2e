import Foundation
import Glibc
import JSON
import Registry
import TestSupport
import Testing

/// Schedules through the real daemon and the real skillctl: a schedule over a JSONL file
/// fires a batch whose runs carry trigger `schedule`, with a noop skill and with the real model.
@Suite("Schedules end to end", .serialized)
struct ScheduleTests {
    /// No inference server: the echo skill never calls one.
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    @Test("schedules add, list, show, pause, resume, remove; a bad cron names the field")
    func lifecycle() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)

        let bad = try await daemon.skillctl("schedules", "add", "echo", "--cron", "0 6 32 * *")
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("cron: day of month"), "\(bad.standardError)")
        let badZone = try await daemon.skillctl("schedules", "add", "echo", "--cron", "@daily", "--tz", "Mars/Olympus")
        #expect(badZone.standardError.contains("unknown time zone"), "\(badZone.standardError)")

        let added = try await daemon.skillctl(
            "--json", "schedules", "add", "echo", "--cron", "30 6 * * MON-FRI", "--tz", "Europe/Berlin", #"{"a":1}"#,
            "--concurrency", "forbid", "--catch-up", "once")
        #expect(added.status == 0, "\(added.standardError)")
        let schedule = try added.json()
        let id = try #require(schedule["schedule_id"]?.int64Value)
        #expect(schedule["input"] == ["a": 1])
        #expect(schedule["concurrency"] == "forbid")
        #expect(schedule["catch_up"] == "once")
        let next = try #require(schedule["next_fire_at"]?.stringValue)
        #expect(next.contains("T06:30:00+01:00") || next.contains("T06:30:00+02:00"), "\(next)")
        #expect(schedule["next_fire_at_utc"]?.stringValue?.hasSuffix("Z") == true)

        let list = try await daemon.skillctl("schedules")
        #expect(list.standardOutput.contains("30 6 * * MON-FRI"), "\(list.standardOutput)")
        let paused = try await daemon.skillctl("--json", "schedules", "pause", String(id))
        #expect(try paused.json()["paused"] == true)
        #expect(try paused.json()["next_fire_at"] == .null)
        let resumed = try await daemon.skillctl("--json", "schedules", "resume", String(id))
        #expect(try resumed.json()["next_fire_at"]?.stringValue == next)

        let fired = try await daemon.skillctl("--json", "schedules", "trigger", String(id))
        #expect(fired.status == 0, "\(fired.standardError)")
        let runID = try #require(try fired.json()["fire"]?["run_id"]?.int64Value)
        let shown = try await daemon.skillctl("--json", "schedules", "show", String(id))
        #expect(try shown.json()["fires"]?[0]?["run_id"]?.int64Value == runID)
        let run = try await daemon.skillctl("--json", "runs", "show", String(runID))
        #expect(try run.json()["trigger"] == "schedule")
        #expect(try run.json()["schedule_id"]?.int64Value == id)

        #expect(try await daemon.skillctl("schedules", "remove", String(id)).status == 0)
        let gone = try await daemon.skillctl("schedules", "show", String(id))
        #expect(gone.status == 4, "not_found: \(gone.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("schedules trigger of a schedule over a JSONL file runs a batch with one result per item")
    func triggerBatch() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let inputs = (0..<6).map { #"{"n":\#($0)}"# }
        let file = daemon.directory.path("items.jsonl")
        try Data((inputs.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))

        let results = try await fireBatch(daemon, skill: "echo", file: file)
        #expect(results.map { $0["output"] } == inputs.map { try? JSONValue(parsing: $0) })
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("against the real model, a schedule over a 3-line JSONL of prompts yields 3 completions")
    func realModelBatch() async throws {
        let daemon = try await DaemonHarness(inferenceURL: try ModelServer.baseURL())
        let install = try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete"))
        #expect(install.status == 0, "\(install.standardError)")
        let prompts = ["The capital of France is", "Two plus two equals", "The color of the sky is"]
        let file = daemon.directory.path("prompts.jsonl")
        let lines = prompts.map { #"{"prompt":"\#($0)","max_tokens":12,"temperature":0}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))

        let results = try await fireBatch(daemon, skill: "complete", file: file)
        for result in results {
            let text = result["output"]?["completion"]?.stringValue ?? ""
            #expect(!text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "the model wrote something: \(result)")
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    /// Adds a schedule of `skill` over `file` that never fires by itself (1 January, 00:00),
    /// triggers it, waits for its batch, and returns the batch's results after checking that
    /// there is one per line, each done, and that every run carries trigger `schedule`.
    private func fireBatch(_ daemon: DaemonHarness, skill: String, file: String) async throws -> [JSONValue] {
        let added = try await daemon.skillctl(
            "--json", "schedules", "add", skill, "--cron", "0 0 1 1 *", "--tz", "UTC", "@" + file, "--batch",
            "--parallelism", "2")
        #expect(added.status == 0, "\(added.standardError)")
        let scheduleID = try #require(try added.json()["schedule_id"]?.int64Value)
        #expect(try added.json()["input_file"]?.stringValue == file)

        let fired = try await daemon.skillctl("--json", "schedules", "trigger", String(scheduleID))
        #expect(fired.status == 0, "\(fired.standardError)")
        let fire = try fired.json()["fire"]
        #expect(fire?["outcome"] == "started")
        #expect(fire?["scheduled_at"] == fire?["fired_at"])
        let batchID = try #require(fire?["batch_id"]?.int64Value)

        let registry = try daemon.registry()
        let deadline = ContinuousClock.now + .seconds(120)
        while try registry.batch(id: batchID)?.isFinished != true, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let batch = try #require(try registry.batch(id: batchID))
        #expect(batch.scheduleID == scheduleID)
        #expect(batch.status == .done, "\(daemon.log())")

        let lineCount = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").count
        let output = try await daemon.skillctl("batch", "results", String(batchID))
        let results = output.standardOutput.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
        #expect(results.map { $0["index"]?.int64Value } == (0..<lineCount).map { Int64($0) }, "one result per item")
        #expect(results.allSatisfy { $0["status"] == "done" }, "\(results)")

        let runs = try registry.runs(matching: RunQuery(skillName: skill, limit: 1000))
        #expect(runs.count == lineCount)
        #expect(runs.allSatisfy { $0.trigger == "schedule" && $0.scheduleID == scheduleID && $0.batchID == batchID })
        let shown = try await daemon.skillctl("--json", "schedules", "show", String(scheduleID))
        #expect(try shown.json()["fires"]?[0]?["batch_id"]?.int64Value == batchID)
        return results
    }
}

import Foundation
import Glibc
import JSON
import Registry
import SkillhostModel
import TestSupport
import Testing

/// Batches through the real daemon and the real skillctl, and a batch that survives a
/// SIGKILL of the daemon.
@Suite("Batches end to end", .serialized)
struct BatchTests {
    /// No inference server: these skills never call one.
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    @Test("a batch over a JSONL file with parallelism 4 gives every result in item order")
    func jsonlBatch() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let inputs = (0..<40).map { #"{"n":\#($0)}"# }
        let file = daemon.directory.path("items.jsonl")
        try Data((inputs.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))

        let start = try await daemon.skillctl("--json", "batch", "start", "echo", "@" + file, "--parallelism", "4")
        #expect(start.status == 0, "\(start.standardError)\n\(daemon.log())")
        let final = try start.json()
        #expect(final["status"] == "done")
        #expect(final["counts"]?["done"] == 40)
        let batchID = try #require(final["batch_id"]?.int64Value)

        let results = try await daemon.skillctl("batch", "results", String(batchID))
        #expect(results.status == 0, "\(results.standardError)")
        let lines = results.standardOutput.split(separator: "\n").map { try? JSONValue(parsing: String($0)) }
        #expect(lines.count == 40)
        #expect(lines.map { $0?["index"]?.int64Value } == (0..<40).map { Int64($0) })
        #expect(lines.map { $0?["output"] } == inputs.map { try? JSONValue(parsing: $0) })
        #expect(lines.allSatisfy { $0?["status"] == "done" && $0?["error"] == .null })

        let badFile = daemon.directory.path("bad.jsonl")
        try Data("1\n{oops\n".utf8).write(to: URL(fileURLWithPath: badFile))
        let bad = try await daemon.skillctl("batch", "start", "echo", "@" + badFile)
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("line 2"))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("batch start to a pipe: an informational first line, plain progress lines, and a final line with the final count")
    func progressToAPipe() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let started = try await daemon.skillctl(
            "batch", "start", "sleeps", "-", "--parallelism", "2", standardInput: Array(repeating: "100", count: 10).joined(separator: "\n"))
        #expect(started.status == 0, "\(started.standardError)")
        let lines = started.standardError.split(separator: "\n").map(String.init)
        #expect(lines.first == "batch 1 started with 10 items", "not an error: \(lines)")
        #expect(!started.standardError.contains("error"), "\(started.standardError)")
        #expect(!started.standardError.contains("\r"), "no redrawing where standard error is a pipe")
        #expect(lines.count >= 3, "the first progress, and a final line at least: \(lines)")
        #expect(lines.last?.contains("] 10/10  10 done  0 failed  0 pending") == true, "\(lines)")
        #expect(lines.last?.hasSuffix(" done") == true, "\(lines)")
        let counts = lines.dropFirst().compactMap { $0.split(separator: " ").dropFirst().first }
        #expect(Set(counts).count == counts.count, "no line repeats a count: \(lines)")
        #expect(started.standardOutput.contains("status       done"), "\(started.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("batch list shows the batches newest first; batch wait re-attaches to a running batch and exits with its outcome")
    func listAndWait() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "failing")).status == 0)
        #expect(try await daemon.skillctl("batch", "list").standardOutput.hasPrefix("no batches"))

        let first = try await daemon.skillctl("--json", "batch", "start", "sleeps", "-", "--no-wait",
                                              standardInput: "300\n300\n300\n")
        let firstID = try #require(try first.json()["batch_id"]?.int64Value)
        let waited = try await daemon.skillctl("batch", "wait", String(firstID))
        #expect(waited.status == 0, "\(waited.standardError)")
        #expect(waited.standardOutput.contains("status       done"), "\(waited.standardOutput)")
        #expect(waited.standardError.split(separator: "\n").last?.contains("3/3  3 done") == true, "\(waited.standardError)")

        let failing = try await daemon.skillctl("--json", "batch", "start", "failing", "-", "--no-wait", "--retries", "0",
                                                standardInput: "{}\n")
        let failingID = try #require(try failing.json()["batch_id"]?.int64Value)
        let failed = try await daemon.skillctl("--json", "batch", "wait", String(failingID))
        #expect(failed.status == 1, "an item failed: \(failed.standardError)")
        #expect(try failed.json()["counts"]?["failed"] == 1)

        let listed = try await daemon.skillctl("--json", "batch", "list")
        #expect(try listed.json()["batches"]?.arrayValue?.compactMap { $0["batch_id"]?.int64Value } == [failingID, firstID])
        let table = try await daemon.skillctl("batch", "list")
        let rows = table.standardOutput.split(separator: "\n")
        #expect(rows.first?.hasPrefix("ID  SKILL") == true && rows.count == 3, "\(table.standardOutput)")
        #expect(rows.dropFirst().first?.contains("failing@1.0.0") == true, "\(table.standardOutput)")
        #expect(try await daemon.skillctl("batch", "wait", "999").status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a batch interrupted by SIGKILL finishes after the restart with exactly one result per item")
    func survivesSIGKILL() async throws {
        let first = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await first.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let itemCount = 12
        let started = try await first.skillctl(
            "--json", "batch", "start", "sleeps", "-", "--parallelism", "3", "--no-wait",
            standardInput: Array(repeating: "300", count: itemCount).joined(separator: "\n"))
        #expect(started.status == 0, "\(started.standardError)")
        let batchID = try #require(try started.json()["batch_id"]?.int64Value)

        // Kill it once some items ended and others are running.
        let registry = try first.registry()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let counts = try #require(try registry.batch(id: batchID)).counts
            if counts.done >= 3, counts.running > 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        first.process.signal(SIGKILL)
        #expect(try await first.process.wait() == .killed(signal: SIGKILL))
        let atKill = try #require(try registry.batch(id: batchID))
        #expect(atKill.status == .running)
        #expect(atKill.counts.running > 0, "items were running when the daemon died")

        let second = try await DaemonHarness(inferenceURL: nowhere, directory: first.directory)
        let show = try await waitUntilFinished(batchID, daemon: second)
        #expect(show["status"] == "done", "\(second.log())")
        #expect(show["counts"]?["done"]?.int64Value == Int64(itemCount))

        let results = try await second.skillctl("batch", "results", String(batchID))
        let lines = results.standardOutput.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
        #expect(lines.map { $0["index"]?.int64Value } == (0..<itemCount).map { Int64($0) }, "exactly one result per item")
        #expect(lines.allSatisfy { $0["status"] == "done" })

        let runs = try second.registry().runs(matching: RunQuery(skillName: "sleeps", limit: 1000))
        #expect(runs.allSatisfy { $0.batchID == batchID && $0.trigger == "batch" })
        // An item is claimed a moment before its run is recorded, so a kill in between
        // leaves a running item without a run: at most one interrupted run per running item.
        let interrupted = runs.filter { $0.status == .interrupted }
        #expect(!interrupted.isEmpty, "the attempts cut off by the kill are recorded as interrupted")
        #expect(interrupted.count <= atKill.counts.running)
        #expect(!runs.contains { $0.status == .running })
        let items = try #require(try second.registry().batchItems(matching: BatchItemQuery(batchID: batchID)))
        for item in items {
            let runID = try #require(item.runID)
            let run = try #require(runs.first { $0.id == runID })
            #expect(run.status == .succeeded && run.batchItem == item.index, "item \(item.index) ends with its own run")
        }
        for run in interrupted {
            let item = try #require(try second.registry().batchItems(
                matching: BatchItemQuery(batchID: batchID, limit: 1, after: (run.batchItem ?? 0) - 1))?.first)
            #expect(item.index == run.batchItem)
            #expect(item.attempts == 2, "the interrupted attempt and the one after the restart")
        }
        #expect(try await second.stop() == .exited(0))
    }

    @Test("batch start waits with a progress line on standard error, then prints the final record")
    func progressAndCancel() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let waited = try await daemon.skillctl("batch", "start", "sleeps", "-", standardInput: "150\n150\n150\n150\n")
        #expect(waited.status == 0, "\(waited.standardError)")
        #expect(waited.standardError.contains("items/s"), "a progress line: \(waited.standardError)")
        #expect(waited.standardError.contains("pending"))
        #expect(waited.standardOutput.contains("status"))
        #expect(waited.standardOutput.contains("done"))

        let started = try await daemon.skillctl(
            "--json", "batch", "start", "sleeps", "-", "--no-wait", standardInput: "5000\n5000\n5000\n")
        let batchID = try #require(try started.json()["batch_id"]?.int64Value)
        _ = try await daemon.waitForRunningRun()
        let cancel = try await daemon.skillctl("--json", "batch", "cancel", String(batchID))
        #expect(cancel.status == 0, "\(cancel.standardError)")
        #expect(try cancel.json()["status"] == "cancelled")
        let final = try await waitUntilFinished(batchID, daemon: daemon)
        #expect(final["counts"]?["cancelled"] == 3)
        let items = try await daemon.skillctl("batch", "items", String(batchID), "--status", "cancelled")
        #expect(items.standardOutput.split(separator: "\n").count == 4, "a header and three items: \(items.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// Polls `batch show --json` until the batch has finished.
    private func waitUntilFinished(_ batchID: Int64, daemon: DaemonHarness) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let show = try await daemon.skillctl("--json", "batch", "show", String(batchID))
            let record = try show.json()
            if record["finished_at"] != .null { return record }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("batch \(batchID) did not finish within 30 s; the daemon's log:\n\(daemon.log())")
    }
}

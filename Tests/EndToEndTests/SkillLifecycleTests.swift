import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

/// Disabling, enabling and draining skills, their counters, and replaying runs on another
/// version, against the real daemon and skillctl.
@Suite("Skill lifecycle and replay")
struct SkillLifecycleTests {
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    /// Waits until `skill` has `count` runs in flight, by its own counters.
    private func waitForInFlight(_ count: Int64, of skill: String, on daemon: DaemonHarness) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if try await daemon.call("skills.get", ["name": .string(skill)])["activity"]?["in_flight"]?.int64Value == count {
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError("\(skill) never had \(count) runs in flight; the daemon's log:\n\(daemon.log())")
    }

    /// The `data.kind` of the error `call` throws; nil when it does not throw.
    private func errorKind(_ call: () async throws -> JSONValue) async throws -> String? {
        do {
            _ = try await call()
            return nil
        } catch let JSONRPCClientError.server(error) {
            return error.kind
        }
    }

    // The runs in flight last 12 s: beside the whole suite, a client took seconds to see two
    // runs of 3 s in flight, or to ask for a drain before they ended.

    @Test("disable: runs in flight finish, new runs and batches are refused with how to enable, a running batch's later items fail; enable runs again")
    func disableAndEnable() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let inFlight = Task { try await daemon.skillctl("run", "sleeps", "12000") }
        let batch = try await daemon.call("batches.start", ["skill": "sleeps", "items": [12000, 1, 1], "parallelism": 1])
        let batchID = try #require(batch["batch_id"]?.int64Value)
        try await waitForInFlight(2, of: "sleeps", on: daemon)

        let disable = try await daemon.skillctl("skills", "disable", "sleeps")
        #expect(disable.status == 0, "\(disable.standardError)")
        #expect(disable.standardOutput.contains("sleeps@1.0.0 disabled"), "\(disable.standardOutput)")

        let refused = try await daemon.skillctl("run", "sleeps", "1")
        #expect(refused.status == 1, "skill_disabled ends with 1: \(refused.standardError)")
        #expect(refused.standardError.contains("`skillctl skills enable sleeps`"), "\(refused.standardError)")
        #expect(try await errorKind { try await daemon.call("skills.run", ["skill": "sleeps", "input": 1]) } == "skill_disabled")
        #expect(try await errorKind { try await daemon.call("batches.start", ["skill": "sleeps", "items": [1]]) } == "skill_disabled")

        let finished = try await inFlight.value
        #expect(finished.status == 0, "the run in flight ran to its end: \(finished.standardError)")
        let waited = try await daemon.skillctl("--json", "batch", "wait", String(batchID))
        #expect(waited.status == 1, "a batch with failed items: \(waited.standardOutput)")
        let items = try await daemon.call("batches.items", ["batch_id": .int(batchID)])["items"]?.arrayValue ?? []
        #expect(items.map { $0["status"]?.stringValue } == ["done", "failed", "failed"], "\(items)")
        #expect(items.dropFirst().allSatisfy { $0["error"]?["kind"] == "skill_disabled" }, "\(items)")

        let shown = try await daemon.skillctl("show", "sleeps")
        #expect(shown.standardOutput.contains("disabled"), "\(shown.standardOutput)")
        let enable = try await daemon.skillctl("--json", "skills", "enable", "sleeps")
        #expect(enable.status == 0)
        #expect(try enable.json()["skills"]?[0]?["state"] == "enabled")
        #expect(try await daemon.skillctl("run", "sleeps", "1").status == 0)

        #expect(try await daemon.skillctl("skills", "disable", "sleeps").status == 0)
        #expect(try await daemon.skillctl("remove", "sleeps").status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        #expect(try await daemon.skillctl("run", "sleeps", "1").status == 0, "a skill removed and installed again is enabled")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a schedule's fire that finds its skill disabled is skipped, with the refusal as its reason")
    func scheduleOfDisabledSkill() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let added = try await daemon.skillctl("--json", "schedules", "add", "echo", "--cron", "@daily", #"{"a":1}"#)
        #expect(added.status == 0, "\(added.standardError)")
        let id = try #require(try added.json()["schedule_id"]?.int64Value)
        #expect(try await daemon.skillctl("skills", "disable", "echo").status == 0)
        let fired = try await daemon.skillctl("--json", "schedules", "trigger", String(id))
        #expect(fired.status == 0, "\(fired.standardError)")
        let fire = try #require(try fired.json()["fire"])
        #expect(fire["outcome"] == "skipped", "\(fire)")
        #expect(fire["run_id"] == .null)
        #expect(fire["reason"]?.stringValue?.contains("skillctl skills enable echo") == true, "\(fire)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("drain answers once the runs in flight have ended, counting them; the skill stays disabled across a restart until enabled")
    func drainAndRestart() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let runs = (0..<2).map { _ in Task { try await daemon.call("skills.run", ["skill": "sleeps", "input": 12000]) } }
        try await waitForInFlight(2, of: "sleeps", on: daemon)

        let drain = try await daemon.skillctl("--json", "skills", "drain", "sleeps", "--timeout", "30")
        #expect(drain.status == 0, "\(drain.standardError)")
        let drained = try drain.json()
        #expect(drained["drained"] == true)
        #expect(drained["waited_for"] == 2)
        #expect(drained["still_in_flight"] == 0)
        #expect(drained["skills"]?[0]?["state"] == "disabled")
        let registry = try daemon.registry()
        for run in runs {
            let runID = try #require(try await run.value["run_id"]?.int64Value)
            #expect(try registry.run(id: runID)?.status == .succeeded, "ended before the drain answered")
        }
        #expect(try await daemon.call("skills.get", ["name": "sleeps"])["activity"]?["in_flight"] == 0)
        #expect(try await daemon.stop() == .exited(0))

        let restarted = try await DaemonHarness(inferenceURL: nowhere, directory: daemon.directory)
        #expect(try await restarted.call("skills.get", ["name": "sleeps"])["state"] == "disabled")
        #expect(try await errorKind { try await restarted.call("skills.run", ["skill": "sleeps", "input": 1]) } == "skill_disabled")
        #expect(try await restarted.skillctl("skills", "enable", "sleeps").status == 0)
        #expect(try await restarted.skillctl("run", "sleeps", "1").status == 0)
        #expect(try await restarted.stop() == .exited(0))
    }

    @Test("a drain whose runs outlast its timeout says so, exits 1, and leaves the skill draining")
    func drainTimeout() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let run = Task { try await daemon.call("skills.run", ["skill": "sleeps", "input": 12000]) }
        try await waitForInFlight(1, of: "sleeps", on: daemon)
        let drain = try await daemon.skillctl("skills", "drain", "sleeps", "--timeout", "0.1")
        #expect(drain.status == 1, "\(drain.standardOutput)\(drain.standardError)")
        #expect(drain.standardOutput.contains("still draining: 1 of the 1 runs in flight still run"), "\(drain.standardOutput)")
        #expect(try await daemon.call("skills.get", ["name": "sleeps"])["state"] == "draining")
        #expect(try await errorKind { try await daemon.call("skills.run", ["skill": "sleeps", "input": 1]) } == "skill_disabled")

        // A skill enabled while a drain waits stays enabled when the drain ends.
        let secondDrain = Task { try await daemon.call("skills.drain", ["name": "sleeps", "timeout_ms": 30000]) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await daemon.skillctl("skills", "enable", "sleeps").status == 0)
        let answer = try await secondDrain.value
        #expect(answer["drained"] == true, "\(answer)")
        #expect(answer["skills"]?[0]?["state"] == "enabled", "\(answer)")
        #expect(try await run.value["status"] == "succeeded")
        #expect(try await daemon.call("skills.get", ["name": "sleeps"])["state"] == "enabled")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a skill's counters move by exactly the runs made, in skills.get, host.status, show and status")
    func counters() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let before = try #require(try await daemon.call("skills.get", ["name": "sleeps"])["activity"])
        #expect(before == ["queued": 0, "in_flight": 0, "finished": 0, "failed": 0, "p50_ms": nil, "p99_ms": nil])
        for _ in 0..<3 { #expect(try await daemon.skillctl("run", "sleeps", "20").status == 0) }
        #expect(try await daemon.skillctl("run", "sleeps", "2000", "--timeout-ms", "50").status == 6)
        #expect(try await daemon.skillctl("skills", "disable", "sleeps").status == 0)
        #expect(try await daemon.skillctl("run", "sleeps", "1").status == 1, "refused: counted nowhere")
        #expect(try await daemon.skillctl("skills", "enable", "sleeps").status == 0)

        let activity = try #require(try await daemon.call("skills.get", ["name": "sleeps"])["activity"])
        #expect(activity["queued"] == 0)
        #expect(activity["in_flight"] == 0)
        #expect(activity["finished"] == 4)
        #expect(activity["failed"] == 1)
        // The nearest-rank percentiles of the four runs' durations, as their records have them
        // (to the microsecond): the second shortest, and the longest.
        let durations = try #require(try await daemon.call("runs.list", ["skill": "sleeps"])["runs"]?.arrayValue)
            .compactMap { $0["duration_ms"]?.doubleValue }.sorted()
        #expect(durations.count == 4)
        let p50 = try #require(activity["p50_ms"]?.doubleValue)
        let p99 = try #require(activity["p99_ms"]?.doubleValue)
        #expect(abs(p50 - durations[1]) < 0.001, "p50 \(p50) of \(durations)")
        #expect(abs(p99 - durations[3]) < 0.001, "p99 \(p99) of \(durations)")
        #expect(p99 >= 50 && p99 < 2000, "the slowest is at least the 50 ms deadline, and was cut there: \(p99)")

        let status = try await daemon.call("host.status")
        let entry = try #require(status["skill_activity"]?.arrayValue?.first)
        #expect(entry["skill"] == "sleeps" && entry["version"] == "1.0.0" && entry["state"] == "enabled")
        #expect(entry["counters"] == activity)
        let shown = try await daemon.skillctl("show", "sleeps")
        #expect(shown.standardOutput.contains("0 queued, 0 in flight, 4 finished, 1 failed, p50 "), "\(shown.standardOutput)")
        let printed = try await daemon.skillctl("status")
        #expect(printed.standardOutput.contains("sleeps@1.0.0"), "\(printed.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("replay runs a recorded input on the same or a second version, recorded with replay_of; runs diff exits 0 when alike, 1 when not")
    func replayAndDiff() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo_v2")).status == 0)
        let original = try await daemon.call("skills.run", ["skill": "echo@1.0.0", "input": ["b": [1, 2], "a": "x"]])
        let originalID = try #require(original["run_id"]?.int64Value)

        let same = try await daemon.skillctl("--json", "runs", "replay", String(originalID))
        #expect(same.status == 0, "\(same.standardError)")
        let sameRecord = try same.json()
        #expect(sameRecord["replay_of"] == .int(originalID))
        #expect(sameRecord["trigger"] == "replay")
        #expect(sameRecord["version"] == "1.0.0")
        let sameID = try #require(sameRecord["run_id"]?.int64Value)
        let alike = try await daemon.skillctl("runs", "diff", String(originalID), String(sameID))
        #expect(alike.status == 0, "\(alike.standardOutput)\(alike.standardError)")
        #expect(alike.standardOutput.contains("the outputs are the same"))

        let other = try await daemon.skillctl("--json", "runs", "replay", String(originalID), "--version", "2.0.0")
        #expect(other.status == 0, "\(other.standardError)")
        let otherRecord = try other.json()
        #expect(otherRecord["version"] == "2.0.0")
        #expect(otherRecord["output"] == ["echoed": ["a": "x", "b": [1, 2]]])
        let otherID = try #require(otherRecord["run_id"]?.int64Value)
        #expect(try await daemon.call("runs.get", ["run_id": .int(otherID)])["replay_of"] == .int(originalID))
        let shown = try await daemon.skillctl("runs", "show", String(otherID))
        #expect(shown.standardOutput.contains("run \(originalID)"), "\(shown.standardOutput)")

        let differ = try await daemon.skillctl("runs", "diff", String(originalID), String(otherID))
        #expect(differ.status == 1, "\(differ.standardOutput)\(differ.standardError)")
        let lines = differ.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.first == "--- run \(originalID) (echo@1.0.0, succeeded)", "\(lines)")
        #expect(lines.contains("+   \"echoed\": {"), "\(differ.standardOutput)")
        #expect(lines.contains("-   \"a\": \"x\","), "\(differ.standardOutput)")
        #expect(lines.last == "the outputs differ")
        let diffJSON = try await daemon.skillctl("--json", "runs", "diff", String(originalID), String(otherID))
        #expect(diffJSON.status == 1)
        #expect(try diffJSON.json()["equal"] == false)

        #expect(try await daemon.skillctl("runs", "replay", String(originalID), "--version", "9.9.9").status == 4)
        #expect(try await daemon.skillctl("runs", "diff", String(originalID), "999999").status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }
}

/// A disabled skill over HTTP.
@Suite("Skill lifecycle over HTTP")
struct SkillLifecycleHTTPTests {
    @Test("a run of a disabled skill over HTTP is 409 with skill_disabled and how to enable; its record shows the state")
    func disabledOverHTTP() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!, arguments: ["--http-listen", "127.0.0.1:0"])
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let created = try await daemon.skillctl("tokens", "create", "ci", "--scope", "run")
        #expect(created.status == 0, "\(created.standardError)")
        let client = try CurlClient(daemon: daemon, token: created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(try await daemon.skillctl("skills", "disable", "echo").status == 0)

        let refused = try await client.post("/v1/skills/echo/run", json: #"{"n": 1}"#)
        #expect(refused.status == 409, "\(refused)")
        let error = try refused.json()["error"]
        #expect(error?["kind"] == "skill_disabled", "\(refused)")
        #expect(error?["message"]?.stringValue?.contains("skillctl skills enable echo") == true, "\(refused)")
        let shown = try await client.get("/v1/skills/echo")
        #expect(try shown.json()["state"] == "disabled", "\(shown)")
        #expect(try shown.json()["activity"]?["finished"] == 0, "\(shown)")

        #expect(try await daemon.skillctl("skills", "enable", "echo").status == 0)
        #expect(try await client.post("/v1/skills/echo/run", json: #"{"n": 1}"#).status == 200)
        #expect(try await daemon.stop() == .exited(0))
    }
}

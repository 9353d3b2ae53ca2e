import Foundation
import Glibc
import JSON
import JSONRPC
import Registry
import SkillhostModel
import Synchronization
import TestSupport
import Testing

/// Detached runs through the real daemon, socket and `skillctl`: `run --detach` and
/// `runs.start`, `runs.attach` mid-run and after the end, `runs.wait` with a timeout,
/// `runs.cancel` of a run stuck in a worker, and a daemon stopped or killed with detached
/// runs in flight.
@Suite("Detached runs through the real daemon")
struct DetachedRunTests {
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    /// The run.output chunks and run.log lines a client received, in order.
    private final class Received: Sendable {
        private let notifications = Mutex<[(method: String, params: JSONValue)]>([])

        func append(_ method: String, _ params: JSONValue?) {
            notifications.withLock { $0.append((method, params ?? .null)) }
        }

        /// The output chunks about run `runID`, joined.
        func output(of runID: Int64) -> String {
            notifications.withLock { list in
                list.filter { $0.method == "run.output" && $0.params["run_id"] == .int(runID) }
                    .compactMap { $0.params["chunk"]?.stringValue }.joined()
            }
        }

        /// The `LEVEL message` of each log line about run `runID`.
        func logs(of runID: Int64) -> [String] {
            notifications.withLock { list in
                list.filter { $0.method == "run.log" && $0.params["run_id"] == .int(runID) }
                    .map { "\($0.params["level"]?.stringValue ?? "") \($0.params["message"]?.stringValue ?? "")" }
            }
        }

        /// How many notifications came.
        var count: Int { notifications.withLock(\.count) }
    }

    /// What `writes-numbered` writes for `count` chunks of `size` bytes: numbered lines, then `end`.
    private static func numberedOutput(count: Int, size: Int) -> String {
        (0..<count).map { number in
            let digits = String(format: "%06d", number)
            return digits + String(repeating: ".", count: size - 7) + "\n"
        }.joined() + "end\n"
    }

    /// The run id `skillctl run --detach` printed.
    private static func runID(_ result: DaemonHarness.CommandResult) throws -> Int64 {
        try #require(Int64(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)),
                     "run --detach printed \(result.standardOutput), \(result.standardError)")
    }

    @Test("run --detach prints the id and exits; a client attaching mid-run gets the whole output in order, then the record",
          arguments: ["process", "inprocess"])
    func attachMidRun(isolation: String) async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "writes_numbered"),
                                          "--isolation", isolation).status == 0)
        let clock = ContinuousClock()
        let begin = clock.now
        // 250 chunks 40 ms apart: 10 s, so that a loaded machine still finds it running.
        let started = try await daemon.skillctl("run", "--detach", "writes-numbered", "250 40 16")
        #expect(started.status == 0, "\(started.standardError)")
        #expect(clock.now - begin < .seconds(8), "run --detach waited for the run (it takes 10 s)")
        let id = try Self.runID(started)

        // Its starting client is gone; the run goes on. Attach once it wrote some chunks.
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await daemon.call("runs.get", ["run_id": .int(id)])["status"] == "running")
        let received = Received()
        let client = try daemon.client { received.append($0, $1) }
        defer { client.close() }
        async let attachedByCLI = daemon.skillctl("runs", "attach", String(id))
        let record = try await client.call("runs.attach", params: ["run_id": .int(id)])
        let expected = Self.numberedOutput(count: 250, size: 16)
        #expect(record["status"] == "succeeded")
        #expect(received.output(of: id) == expected, "every chunk, from the first, in order, then the returned rest")
        #expect(record["output"] == nil, "the output came as notifications only")
        let cli = try await attachedByCLI
        #expect(cli.status == 0, "\(cli.standardError)")
        #expect(cli.standardOutput == expected)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("runs attach after the end replays the stored log lines and output; runs wait answers at once")
    func attachAfterEnd() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "failing")).status == 0)
        let id = try Self.runID(try await daemon.skillctl("run", "--detach", "hello", #"{"name":"Ada"}"#))
        let waited = try await daemon.skillctl("--json", "runs", "wait", String(id))
        #expect(waited.status == 0, "\(waited.standardError)")
        let record = try waited.json()
        #expect(record["status"] == "succeeded")

        let received = Received()
        let client = try daemon.client { received.append($0, $1) }
        defer { client.close() }
        let attached = try await client.call("runs.attach", params: ["run_id": .int(id)])
        #expect(attached["status"] == record["status"] && attached["finished_at"] == record["finished_at"],
                "the same record as runs.wait's: \(attached)")
        #expect(attached["output"] == nil && attached["input"] == nil)
        #expect(received.logs(of: id) == ["info greeted"])
        #expect(try JSONValue(parsing: received.output(of: id)) == record["output"])

        let cli = try await daemon.skillctl("runs", "attach", String(id))
        #expect(cli.status == 0)
        #expect(cli.standardError == "info    greeted\n")
        #expect(try JSONValue(parsing: cli.standardOutput) == record["output"])

        // A failed run: no output, its error and the exit status of its kind.
        let failed = try Self.runID(try await daemon.skillctl("run", "--detach", "failing"))
        let failedAttach = try await daemon.skillctl("runs", "attach", String(failed))
        #expect(failedAttach.status == 1, "\(failedAttach.standardError)")
        #expect(failedAttach.standardOutput.isEmpty)
        #expect(failedAttach.standardError.contains("error: "), "\(failedAttach.standardError)")
        #expect(try await daemon.skillctl("runs", "attach", "999").status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("runs wait --timeout says a run is still going (exit 11), and without it waits for the end")
    func waitWithTimeout() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let clock = ContinuousClock()
        let detached = clock.now
        let id = try Self.runID(try await daemon.skillctl("run", "--detach", "sleeps", "6000"))
        let begin = clock.now
        let early = try await daemon.skillctl("runs", "wait", String(id), "--timeout-ms", "200")
        let waitedFor = clock.now - begin
        #expect(early.status == 11, "\(early.standardError)")
        #expect(early.standardError.contains("run \(id) is still running"), "\(early.standardError)")
        #expect(waitedFor >= .milliseconds(200) && waitedFor < .milliseconds(5900), "\(waitedFor)")
        let json = try await daemon.skillctl("--json", "runs", "wait", String(id), "--timeout-ms", "1")
        #expect(json.status == 11)
        #expect(try json.json()["status"] == "running")

        let done = try await daemon.skillctl("runs", "wait", String(id))
        #expect(done.status == 0, "\(done.standardError)")
        #expect(done.standardOutput == "{}\n")
        #expect(clock.now - detached >= .milliseconds(5900), "waited for the run's end")
        #expect(try await daemon.skillctl("runs", "wait", "999").status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("runs cancel ends a run stuck in a worker at once as cancelled; the worker is killed, and the next run gets another")
    func cancelStuckRun() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        let spins = try await FixtureSkills.path(for: "spins")
        #expect(try await daemon.skillctl("install", spins).status == 0)
        let sha256 = try #require(try daemon.registry().skills().first?.sha256)
        let id = try Self.runID(try await daemon.skillctl("run", "--detach", "spins"))
        try await Task.sleep(for: .milliseconds(300))
        let before = Set(WorkerProcesses.loaded(of: daemon.process.pid, sha256: sha256))

        let received = Received()
        let watcher = try daemon.client { received.append($0, $1) }
        defer { watcher.close() }
        async let attached = watcher.call("runs.attach", params: ["run_id": .int(id)])

        let clock = ContinuousClock()
        let begin = clock.now
        let cancelled = try await daemon.skillctl("runs", "cancel", String(id))
        #expect(clock.now - begin < .seconds(2), "cancel took \(clock.now - begin)")
        #expect(cancelled.status == 0, "\(cancelled.standardError)")
        #expect(cancelled.standardOutput == "run \(id) cancelled\n")
        #expect(!before.isEmpty, "a worker ran the run")
        let record = try await daemon.call("runs.get", ["run_id": .int(id)])
        #expect(record["status"] == "cancelled")
        #expect(record["error"]?["kind"] == "cancelled")
        #expect(record["error"]?["message"]?.stringValue?.contains("runs.cancel") == true, "\(record)")
        let attachedRecord = try await attached
        #expect(attachedRecord["status"] == "cancelled" && attachedRecord["finished_at"] == record["finished_at"],
                "an attached client is answered with the final record: \(attachedRecord)")

        // The worker that ran it is killed; the pool starts others as runs need them.
        #expect(await eventually(within: .seconds(10)) {
            !before.isSubset(of: Set(WorkerProcesses.loaded(of: daemon.process.pid, sha256: sha256)))
        }, "every worker of \(before) is still there")
        let second = try Self.runID(try await daemon.skillctl("run", "--detach", "spins"))
        try await Task.sleep(for: .milliseconds(100))
        let secondCancel = try await daemon.skillctl("--json", "runs", "cancel", String(second))
        #expect(secondCancel.status == 0)
        #expect(try secondCancel.json()["cancelled"] == true)
        #expect(try secondCancel.json()["run"]?["status"] == "cancelled")

        let again = try await daemon.skillctl("runs", "cancel", String(id))
        #expect(again.status == 1)
        #expect(again.standardError == "error: run \(id) had ended already: cancelled\n")
        #expect(try await daemon.skillctl("runs", "cancel", "999").status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("runs cancel of a detached run waiting for the model abandons the model request in flight")
    func cancelWaitingForModel() async throws {
        let server = try await FaultServer.start(mode: .stall)
        defer { server.stop() }
        let daemon = try await DaemonHarness(inferenceURL: server.baseURL, arguments: ["--request-timeout-ms", "120000"])
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let id = try Self.runID(try await daemon.skillctl("run", "--detach", "complete", #"{"prompt":"wait for me"}"#,
                                                        "--timeout-ms", "120000"))
        let deadline = ContinuousClock.now + .seconds(20)
        while try await server.stats().completionRequests == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await server.stats().completionRequests == 1, "the request reached the model server")

        let cancelled = try await daemon.skillctl("runs", "cancel", String(id))
        #expect(cancelled.status == 0, "\(cancelled.standardError)")
        #expect(try daemon.registry().run(id: id)?.status == .cancelled)
        var hangUps = try await server.stats().stallClientDisconnects
        while hangUps == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            hangUps = try await server.stats().stallClientDisconnects
        }
        #expect(hangUps == 1, "the daemon closed its HTTP connection to the model server")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a daemon killed with SIGKILL with detached runs in flight records each interrupted at its next start")
    func survivesSIGKILL() async throws {
        let first = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await first.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        #expect(try await first.skillctl("install", try await FixtureSkills.path(for: "writes_numbered")).status == 0)
        var ids: [Int64] = []
        for _ in 0..<3 {
            ids.append(try Self.runID(try await first.skillctl("run", "--detach", "sleeps", "60000")))
        }
        ids.append(try Self.runID(try await first.skillctl("run", "--detach", "writes-numbered", "1000 50 16")))
        try await Task.sleep(for: .milliseconds(300))
        first.process.signal(SIGKILL)
        #expect(try await first.process.wait() == .killed(signal: SIGKILL))

        let second = try await DaemonHarness(inferenceURL: nowhere, directory: first.directory)
        for id in ids {
            let record = try await second.call("runs.get", ["run_id": .int(id)])
            #expect(record["status"] == "interrupted", "run \(id): \(record)")
        }
        let runs = try await second.call("runs.list", [:])["runs"]?.arrayValue ?? []
        #expect(runs.count == ids.count, "every detached run is recorded, once")
        let attach = try await second.skillctl("runs", "attach", String(ids[0]))
        #expect(attach.status == 1, "an interrupted run ends attach as failed: \(attach.standardError)")
        #expect(try await second.stop() == .exited(0))
    }

    @Test("a daemon stopped with SIGTERM gives detached runs shutdown_grace_ms, then records them interrupted")
    func stopInterruptsAfterGrace() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere, arguments: ["--shutdown-grace-ms", "300"])
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let short = try Self.runID(try await daemon.skillctl("run", "--detach", "sleeps", "100"))
        let long = try Self.runID(try await daemon.skillctl("run", "--detach", "sleeps", "60000"))
        let clock = ContinuousClock()
        let begin = clock.now
        #expect(try await daemon.stop() == .exited(0))
        #expect(clock.now - begin < .seconds(10))
        let registry = try daemon.registry()
        #expect(try registry.run(id: short)?.status == .succeeded, "a run that ends within the grace is not cut short")
        #expect(try registry.run(id: long)?.status == .interrupted)
    }
}

import Foundation
import Glibc
import JSON
import Registry
import Testing
import TestSupport

/// What an in-process skill can do to the real daemon that no thread can undo: spin past its
/// deadline, close the daemon's descriptors. The run is recorded, the stuck thread reported,
/// and a daemon that can no longer serve exits for its supervisor to restart it.
@Suite("In-process skills that hang or break the daemon", .serialized)
struct InProcessFaultTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    /// The nice value of thread `threadID` of process `pid`: field 19 of its `stat`.
    private static func niceValue(pid: pid_t, threadID: Int64) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(threadID)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command's closing parenthesis start at field 3 (state).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 16 ? Int(fields[16]) : nil
    }

    @Test("a spinning skill past its deadline is recorded as timeout, reported as stuck at nice 19, and leaves the report when it returns")
    func stuckThread() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let path = try await FixtureSkills.path(for: "spins_until_file")
        #expect(try await daemon.skillctl("install", path, "--isolation", "inprocess").status == 0)
        let release = daemon.directory.path("release")

        let run = try await daemon.skillctl("--json", "run", "spins-until-file", release, "--timeout-ms", "1000")
        #expect(run.status == 6, "timeout: \(run.standardError)")
        let record = try #require(try daemon.registry().runs(matching: RunQuery(skillName: "spins-until-file")).first)
        #expect(record.status == .timeout && record.errorKind == .timeout, "\(record)")

        let status = try await daemon.skillctl("--json", "status").json()
        let stuck = try #require(status["stuck_skill_threads"]?.arrayValue)
        #expect(stuck.count == 1, "\(status)")
        let thread = try #require(stuck.first)
        #expect(thread["skill"] == "spins-until-file@1.0.0")
        #expect(thread["run_id"]?.int64Value == record.id)
        #expect(thread["priority_lowered"] == true)
        let since = try #require(thread["since"]?.stringValue)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let ended = try #require(formatter.date(from: since), "\(since)")
        #expect(abs(ended.timeIntervalSinceNow) < 60, "since is when the run ended: \(since)")
        let threadID = try #require(thread["thread_id"]?.int64Value)
        #expect(Self.niceValue(pid: daemon.process.pid, threadID: threadID) == 19, "the kernel runs the stuck thread at nice 19")

        #expect(daemon.log().contains("an in-process skill's thread still runs after its run ended"), "\(daemon.log())")

        let text = try await daemon.skillctl("status")
        #expect(text.standardOutput.contains("1 in-process skill thread runs past the end of its run"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("spins-until-file@1.0.0"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("nice 19"), "\(text.standardOutput)")

        // The daemon still serves other runs meanwhile.
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello"), "--isolation", "inprocess").status == 0)
        #expect(try await daemon.skillctl("run", "hello", #"{"name":"beside a stuck thread"}"#).status == 0)

        // Once the skill returns, the thread leaves the report, and it exits rather than park
        // at nice 19 for the next run.
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        var after = try await daemon.skillctl("--json", "status").json()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while after["stuck_skill_threads"] != .array([]), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            after = try await daemon.skillctl("--json", "status").json()
        }
        #expect(after["stuck_skill_threads"] == .array([]), "\(after)")
        #expect(try await daemon.skillctl("status").standardOutput.contains("stuck threads  none"))
        await eventually(within: .seconds(5)) { !FileManager.default.fileExists(atPath: "/proc/\(daemon.process.pid)/task/\(threadID)") }
        #expect(!FileManager.default.fileExists(atPath: "/proc/\(daemon.process.pid)/task/\(threadID)"), "the thread retired")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a skill that closes the daemon's descriptors makes it exit with status 70 and say why",
          arguments: ["3", "0"])
    func closedDescriptors(lowest: String) async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let path = try await FixtureSkills.path(for: "closes_descriptors")
        #expect(try await daemon.skillctl("install", path, "--isolation", "inprocess").status == 0)
        // Its own connection is among the descriptors closed: the client sees the daemon go.
        let run = try await daemon.skillctl("run", "closes-descriptors", lowest)
        #expect(run.status != 0)
        let termination = try await daemon.process.wait(timeout: .seconds(15))
        #expect(termination == .exited(70), "\(daemon.log())")
        if lowest == "3" {
            // Standard error is still open: the log says what happened.
            #expect(daemon.log().contains("lost a descriptor it cannot serve without"), "\(daemon.log())")
            #expect(daemon.log().contains("was closed"), "\(daemon.log())")
        }
    }

    @Test("SIGTERM still stops a daemon whose event-loop descriptors an in-process skill closed, a run in flight or not",
          arguments: [false, true])
    func stopsWithoutItsEventLoop(runInFlight: Bool) async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--shutdown-grace-ms", "200"])
        for fixture in ["closes_descriptors", "sleeps"] {
            #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: fixture), "--isolation", "inprocess").status == 0)
        }
        // Closes Dispatch's epoll, eventfd and timerfd descriptors: its timers (Task.sleep)
        // never fire again, and a signal source built on a signalfd would never see SIGTERM.
        #expect(try await daemon.skillctl("run", "closes-descriptors", "anon_inodes").status == 0)
        var run: Task<DaemonHarness.CommandResult, any Error>?
        if runInFlight {
            run = Task { try await daemon.skillctl("run", "sleeps", "3000") }
            _ = try await daemon.waitForRunningRun()
        }
        let clock = ContinuousClock()
        let start = clock.now
        daemon.process.signal(SIGTERM)
        let termination = try await daemon.process.wait(timeout: .seconds(30))
        _ = try? await run?.value
        // Stopped cleanly (0), or, when the shutdown itself could not finish (its waits are
        // Dispatch timers), by the daemon's own limit, the grace plus 10 s (70, said in the log).
        #expect(clock.now - start < .seconds(15), "\(daemon.log())")
        #expect(termination == .exited(0) || termination == .exited(70), "\(termination): \(daemon.log())")
        if termination == .exited(70) {
            #expect(daemon.log().contains("did not finish stopping within 10200 ms of the stop signal"), "\(daemon.log())")
        }
    }
}

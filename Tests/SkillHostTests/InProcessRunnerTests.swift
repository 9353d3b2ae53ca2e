import Foundation
import InferenceDriver
@testable import SkillRuntime
import TestSupport
import Testing

@Suite("In-process runner and the per-invocation continuation")
struct InProcessRunnerTests {
    private func run(_ fixture: String, input: String = "{}", timeout: Duration = .seconds(10),
                     inference: ScriptedInference = ScriptedInference(.answer(delay: .zero))) async throws -> InvocationReport
    {
        let runner = InProcessRunner(inference: inference)
        let path = try await FixtureSkills.path(for: fixture)
        return await runner.run(skillPath: path, sha256: fixture,
                                invocation: Invocation(input: Array(input.utf8), model: nil, timeout: timeout))
    }

    @Test("output returned by the skill reaches the caller")
    func echo() async throws {
        let report = try await run("echo", input: #"{"a":[1,2]}"#)
        #expect(try report.outcome.get() == #"{"a":[1,2]}"#)
    }

    @Test("chunks written with write_output come before the returned bytes")
    func streamedChunks() async throws {
        #expect(try await run("streams").outcome.get() == "[1,2,3]")
    }

    @Test("a skill error carries the message the skill set")
    func skillFailed() async throws {
        let report = try await run("failing")
        #expect(report.outcome == .failure(.skillFailed(message: "the skill failed on purpose")))
    }

    @Test("a refused input is reported as invalid_input")
    func invalidInput() async throws {
        guard case let .failure(failure) = try await run("rejects_input").outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .invalidInput)
    }

    @Test("output that is not UTF-8 is refused with the offending byte")
    func invalidUTF8() async throws {
        guard case let .failure(failure) = try await run("bad_utf8_output").outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .skillFailed)
        #expect(failure.description.contains("not valid UTF-8 (byte 0xff at offset 0)"))
    }

    @Test("complete_text returns the model's text and counts tokens")
    func completion() async throws {
        let inference = ScriptedInference(.answer(delay: .milliseconds(5)))
        let report = try await run("complete_twice", input: "abc", inference: inference)
        #expect(try report.outcome.get() == "cba")
        #expect(report.usage.completionTokens == 7)
        #expect(inference.requests == 1)
    }

    @Test("a failed complete_text resumes the caller at once and aborts every later host call")
    func trappedInference() async throws {
        let reportFile = FileManager.default.temporaryDirectory.appendingPathComponent("twice-\(UUID().uuidString)").path
        setenv("SKILL_REPORT_FILE", reportFile, 1)
        defer { unlink(reportFile) }
        let inference = ScriptedInference(.fail(.connectionFailed(endpoint: "http://127.0.0.1:9/v1/completions", reason: "connection refused")))
        let report = try await run("complete_twice", input: "prompt", inference: inference)
        guard case let .failure(failure) = report.outcome else {
            Issue.record("the skill's {\"ignored\":true} output must be dropped, got \(report.outcome)")
            return
        }
        #expect(failure.kind == .inferenceFailed)
        #expect(failure.description.contains("connection refused"))
        #expect(inference.requests == 1, "the second complete_text must not reach the server")

        let deadline = ContinuousClock.now + .seconds(5)
        var seen = ""
        while ContinuousClock.now < deadline {
            seen = (try? String(contentsOfFile: reportFile, encoding: .utf8)) ?? ""
            if !seen.isEmpty { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Other tests' trapped runs of this fixture may report into the same file (the
        // variable is process-wide): every trapped run must have seen the same.
        let lines = seen.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0 == "second=3 alloc=null write=3" }, "\(seen)")
    }

    @Test("the deadline ends a run whose skill is still working")
    func deadline() async throws {
        _ = try await FixtureSkills.path(for: "sleeps")
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await run("sleeps", input: "10000", timeout: .milliseconds(100))
        #expect(report.outcome == .failure(.timedOut(after: .milliseconds(100))))
        #expect(clock.now - start < .seconds(9), "the caller did not wait for the skill's 10 s")
    }

    @Test("the deadline cancels an inference call in flight")
    func deadlineCancelsInference() async throws {
        let inference = ScriptedInference(.stall)
        // Long enough for the skill's thread to start and call on a loaded machine: a run whose
        // deadline passes first never calls the skill at all.
        let report = try await run("complete_twice", input: "x", timeout: .seconds(1), inference: inference)
        #expect(report.outcome == .failure(.timedOut(after: .seconds(1))))
        let deadline = ContinuousClock.now + .seconds(5)
        while inference.cancelled == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(inference.cancelled == 1)
    }

    @Test("cancelling the caller's task ends the run as cancelled")
    func cancellation() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.stall))
        let path = try await FixtureSkills.path(for: "complete_twice")
        let task = Task {
            await runner.run(skillPath: path, sha256: "twice",
                             invocation: Invocation(input: Array("x".utf8), model: nil, timeout: .seconds(30)))
        }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        guard case let .failure(failure) = await task.value.outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .cancelled)
    }

    @Test("a serial skill never runs twice at once on one instance")
    func serialSkill() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        let path = try await FixtureSkills.path(for: "serial_counter")
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await runner.run(skillPath: path, sha256: "serial",
                                         invocation: Invocation(input: [], model: nil, timeout: .seconds(10))).outcome.get()
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outputs).count == 50, "every run saw its own counter value")
    }

    @Test("a file that is not a skill fails the run with the loader's reason")
    func loadFailure() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        let path = try FixtureSkills.notAnELF()
        let report = await runner.run(skillPath: path, sha256: "bad", invocation: Invocation(input: [], model: nil, timeout: .seconds(1)))
        guard case let .failure(failure) = report.outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.description.contains("not an ELF shared object"))
    }

    @Test("a hanging init is bounded by the run's deadline")
    func hangingInit() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        let path = try await FixtureSkills.path(for: "init_deadlock")
        let reports = await withTaskGroup(of: InvocationReport.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    await runner.run(skillPath: path, sha256: "init-deadlock",
                                     invocation: Invocation(input: [], model: nil, timeout: .milliseconds(200)))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.allSatisfy { $0.outcome == .failure(.timedOut(after: .milliseconds(200))) })
    }

    @Test("a run whose deadline passed while the skill's init ran never calls its run")
    func deadlineDuringInit() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        let path = try await FixtureSkills.path(for: "slow_init")
        let directory = try TemporaryDirectory(prefix: "init")
        let late = directory.path("late"), onTime = directory.path("on-time")
        func run(touching file: String, timeout: Duration) async -> InvocationReport {
            await runner.run(skillPath: path, sha256: "slow-init",
                             invocation: Invocation(input: Array(file.utf8), model: nil, timeout: timeout))
        }
        let timedOut = await run(touching: late, timeout: .milliseconds(50))
        #expect(timedOut.outcome == .failure(.timedOut(after: .milliseconds(50))))
        let succeeded = await run(touching: onTime, timeout: .seconds(10))
        #expect(succeeded.outcome == .success("{}"))
        #expect(FileManager.default.fileExists(atPath: onTime))
        try await Task.sleep(for: .milliseconds(300))
        #expect(!FileManager.default.fileExists(atPath: late), "the timed-out run's skill code ran after its deadline")
    }

    @Test("threads of runs that passed their deadline count against the limit until they end")
    func threadLimit() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)), maximumThreads: 2)
        let path = try await FixtureSkills.path(for: "waits_for_file")
        let directory = try TemporaryDirectory(prefix: "limit")
        let release = directory.path("release")
        func run(timeout: Duration) async -> InvocationReport {
            await runner.run(skillPath: path, sha256: "waits-for-file",
                             invocation: Invocation(input: Array(release.utf8), model: nil, timeout: timeout))
        }
        // Loads the skill (its thread then parks), so that the runs below reach its `run`
        // before their deadlines: one whose deadline passes first never calls the skill.
        #expect(await runner.run(skillPath: path, sha256: "waits-for-file",
                                 invocation: Invocation(input: Array(directory.path.utf8), model: nil, timeout: .seconds(5)))
            .outcome == .success("{}"))
        for _ in 0..<2 {
            #expect(await run(timeout: .milliseconds(500)).outcome == .failure(.timedOut(after: .milliseconds(500))))
        }
        guard case let .failure(failure) = await run(timeout: .seconds(5)).outcome else {
            Issue.record("a third thread must be refused while two are stuck")
            return
        }
        #expect(failure.kind == .overloaded)
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        var freed = false
        let deadline = ContinuousClock.now + .seconds(15)
        while !freed, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            freed = (try? await run(timeout: .seconds(5)).outcome.get()) == "{}"
        }
        #expect(freed, "the threads ended and freed their places")
    }

    @Test("a thread still spinning past its run's deadline is reported with its run, at nice 19, until the skill returns")
    func stuckThreadReport() async throws {
        let runner = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        let path = try await FixtureSkills.path(for: "spins_until_file")
        let directory = try TemporaryDirectory(prefix: "stuck")
        let release = directory.path("release")
        let owner = InvocationOwner(skill: "spins-until-file@1.0.0", runID: 42)
        #expect(runner.stuckThreads.isEmpty)
        let before = Date()
        let report = await runner.run(skillPath: path, sha256: "spins", invocation: Invocation(
            input: Array(release.utf8), model: nil, timeout: .seconds(1), owner: owner))
        #expect(report.outcome == .failure(.timedOut(after: .seconds(1))), "the run is a timeout, whatever its thread does")
        let stuck = try #require(runner.stuckThreads.first)
        #expect(runner.stuckThreads.count == 1)
        #expect(stuck.owner == owner && stuck.priorityLowered && stuck.since >= before)
        let threadID = try #require(stuck.threadID)
        /// The nice value in a `stat` file of /proc: field 19, the 17th after the command.
        func nice(_ path: String) throws -> Substring {
            let stat = try String(contentsOfFile: path, encoding: .utf8)
            return stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")[16]
        }
        #expect(try nice("/proc/self/task/\(threadID)/stat") == "19", "setpriority lowered the stuck thread")
        #expect(try nice("/proc/self/task/\(getpid())/stat") != "19", "and that thread only, not the process's main thread")
        #expect(FileManager.default.createFile(atPath: release, contents: nil))
        await eventually(within: .seconds(10)) { runner.stuckThreads.isEmpty }
        #expect(runner.stuckThreads.isEmpty, "a thread whose skill returned leaves the report")
        await eventually(within: .seconds(5)) { !FileManager.default.fileExists(atPath: "/proc/self/task/\(threadID)") }
        #expect(!FileManager.default.fileExists(atPath: "/proc/self/task/\(threadID)"), "it retired instead of parking at nice 19")
        // A run that returns in time is never reported, and its thread keeps its priority.
        #expect(try await runner.run(skillPath: path, sha256: "spins", invocation: Invocation(
            input: Array(release.utf8), model: nil, timeout: .seconds(10), owner: owner)).outcome.get() == "{}")
        #expect(runner.stuckThreads.isEmpty)
    }

    @Test("a trap cancels every inference call in flight, from every thread of the skill")
    func trapCancelsEveryCall() async throws {
        let inference = ScriptedInference(.stall)
        let report = try await run("complete_parallel", input: "x", timeout: .seconds(1), inference: inference)
        #expect(report.outcome == .failure(.timedOut(after: .seconds(1))))
        let deadline = ContinuousClock.now + .seconds(5)
        while inference.cancelled < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(inference.requests == 3)
        #expect(inference.cancelled == 3)
    }

    @Test("invalid arguments to a host function trap the run instead of crashing the host",
          arguments: ["log", "set_error", "result_size", "params_size"])
    func hostFunctionMisuse(misuse: String) async throws {
        guard case let .failure(failure) = try await run("csi_misuse", input: misuse).outcome else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.kind == .invalidCSICall, "\(failure)")
    }
}

import Foundation
import Glibc
import InferenceDriver
@testable import ProcessIsolation
@testable import SkillDaemon
@testable import SkillRuntime
import TestSupport
import Testing

/// Process isolation against real worker processes (`skillhostd --worker`, from the build
/// products) and fault-injection skills: each fault gives its status and a clear message,
/// and a good run right after it succeeds.
@Suite("Process runner: workers, faults and the pool", .serialized)
struct ProcessRunnerTests {
    private func makeRunner(inference: ScriptedInference = ScriptedInference(.answer(delay: .zero)),
                            configure: (inout ProcessIsolationSettings) -> Void = { _ in }) throws -> ProcessRunner
    {
        var settings = ProcessIsolationSettings()
        settings.workerExecutable = try BuildProducts.skillhostd()
        configure(&settings)
        return ProcessRunner(inference: inference, settings: settings)
    }

    private func run(_ runner: some SkillRunner, _ fixture: String, input: String = "{}",
                     timeout: Duration = .seconds(20)) async throws -> InvocationReport
    {
        await runner.run(skillPath: try await FixtureSkills.path(for: fixture), sha256: fixture,
                         invocation: Invocation(input: Array(input.utf8), model: nil, timeout: timeout))
    }

    private func failureOf(_ report: InvocationReport) -> InvocationFailure? {
        if case let .failure(failure) = report.outcome { return failure }
        return nil
    }

    /// A good run after a fault: the runner is still healthy.
    private func expectEchoWorks(_ runner: ProcessRunner) async throws {
        let report = try await run(runner, "echo", input: #"{"still":"here"}"#)
        #expect(try report.outcome.get() == #"{"still":"here"}"#)
    }

    private static func processExists(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    @Test("echo, streamed chunks, skill errors and logs behave as in process")
    func basics() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        #expect(try await run(runner, "echo", input: #"{"a":[1,2]}"#).outcome.get() == #"{"a":[1,2]}"#)
        #expect(try await run(runner, "streams").outcome.get() == "[1,2,3]")
        #expect(failureOf( try await run(runner, "failing")) == .skillFailed(message: "the skill failed on purpose"))
        #expect(failureOf( try await run(runner, "rejects_input"))?.kind == .invalidInput)
        #expect(failureOf( try await run(runner, "bad_utf8_output"))?.description.contains("not valid UTF-8") == true)
        let completed = try await run(runner, "complete_twice", input: "abc")
        #expect(try completed.outcome.get() == "cba")
        #expect(completed.usage.completionTokens == 7)
    }

    @Test("a segfault is crashed with SIGSEGV")
    func segfault() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let failure = try #require(failureOf( try await run(runner, "segfaults")))
        #expect(failure.kind == .crashed && failure.runStatus == .crashed)
        #expect(failure.description.contains("killed by SIGSEGV"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("abort() is crashed with SIGABRT and the tail of stderr")
    func abort() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let failure = try #require(failureOf( try await run(runner, "aborts")))
        #expect(failure.kind == .crashed)
        #expect(failure.description.contains("killed by SIGABRT"), "\(failure)")
        #expect(failure.description.contains("giving up on purpose"), "\(failure)")
        // A plain abort() far below the limit is not blamed on memory.
        #expect(!failure.description.contains("memory limit"), "\(failure)")
        #expect(!failure.description.contains("memory exhausted"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("a SIGKILL the skill sent itself is not blamed on the OOM killer or memory")
    func selfInflictedSIGKILL() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let oomKillsBefore = SystemOOMKills.count()
        let failure = try #require(failureOf(try await run(runner, "raises_sigkill")))
        #expect(failure.kind == .crashed, "\(failure)")
        #expect(failure.description.hasPrefix(
            "the skill's process was killed by SIGKILL, not sent by the daemon (the skill, another process or the kernel)"),
                "\(failure)")
        #expect(!failure.description.contains("memory"), "\(failure)")
        // The OOM killer is named only when the kernel counted an OOM kill while the worker lived.
        if SystemOOMKills.since(oomKillsBefore) == 0 {
            #expect(!failure.description.contains("OOM"), "\(failure)")
        }
        try await expectEchoWorks(runner)
    }

    @Test("a crash message names the OOM killer only on the kernel's count, and memory only on the crash reporter's word")
    func crashReasonEvidence() {
        var exit = WorkerExit(termination: .signaled(signal: SIGKILL, coreDumped: false), protocolError: nil,
                              killedByDaemon: false, memoryLimitBytes: 256 << 20, memoryExhausted: false,
                              systemOOMKills: 0, standardErrorTail: "")
        #expect(exit.crashReason == "the skill's process was killed by SIGKILL, not sent by the daemon "
            + "(the skill, another process or the kernel)")
        exit.systemOOMKills = 1
        #expect(exit.crashReason.hasSuffix("; the kernel's OOM killer killed a process on this machine while it ran "
            + "(/proc/vmstat oom_kill), which may have been it"), "\(exit.crashReason)")
        exit.termination = .signaled(signal: SIGSEGV, coreDumped: false)
        #expect(exit.crashReason == "the skill's process was killed by SIGSEGV", "a SIGSEGV is not blamed on the OOM killer")
        exit.memoryExhausted = true
        #expect(exit.crashReason == "the skill's process was killed by SIGSEGV (memory limit 256 MiB; RLIMIT_AS)")
        #expect(SystemOOMKills.count() != nil, "this kernel has /proc/vmstat's oom_kill")
    }

    @Test("a skill past its CPU time limit (RLIMIT_CPU) is crashed with SIGXCPU, and the message says so")
    func cpuTimeLimit() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let failure = try #require(failureOf(try await run(runner, "exceeds_cpu_time", timeout: .seconds(30))))
        #expect(failure.kind == .crashed, "\(failure)")
        #expect(failure.description.contains("killed by SIGXCPU"), "\(failure)")
        #expect(failure.description.contains("it exceeded its CPU time limit (RLIMIT_CPU)"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("a skill that forks, then aborts, is crashed at once, and its child dies with it")
    func forksThenAborts() async throws {
        let runner = try makeRunner { $0.poolSize = 1 }
        defer { runner.shutDown() }
        let path = try await FixtureSkills.path(for: "forks_then_aborts")
        runner.prewarm(skillPath: path, sha256: "forks_then_aborts", memoryLimitBytes: nil, grants: .none)
        await eventually(within: .seconds(3)) { !runner.pool.idleWorkerPIDs(sha256: "forks_then_aborts").isEmpty }
        let group = try #require(runner.pool.idleWorkerPIDs(sha256: "forks_then_aborts").first)
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await run(runner, "forks_then_aborts", timeout: .seconds(30))
        let elapsed = clock.now - start
        let failure = try #require(failureOf(report))
        #expect(failure.kind == .crashed, "\(failure)")
        #expect(failure.description.contains("killed by SIGABRT"), "\(failure)")
        #expect(failure.description.contains("the child keeps the pipes"), "\(failure)")
        #expect(elapsed < .seconds(3), "the crash was noticed only after \(elapsed)")
        await eventually(within: .seconds(3)) { Self.runningMembers(ofGroup: group).isEmpty }
        #expect(Self.runningMembers(ofGroup: group).isEmpty, "the forked child survived")
        try await expectEchoWorks(runner)
    }

    /// The pids of processes in process group `group` that are not zombies, from /proc.
    private static func runningMembers(ofGroup group: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")")
            else { return nil }
            // After "(comm)": state, ppid, pgrp.
            let fields = stat[stat.index(after: end)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", pid_t(fields[2]) == group else { return nil }
            return pid
        }
    }

    @Test("a worker gets only fds 0-3, default signal dispositions, whatever the daemon inherited")
    func workerInheritsNothing() async throws {
        let leaked = open("/dev/null", O_RDONLY)  // no O_CLOEXEC: inherited across exec
        try #require(leaked >= 0)
        defer { close(leaked) }
        let previousHangup = signal(SIGHUP, SIG_IGN)
        let previousQuit = signal(SIGQUIT, SIG_IGN)
        let runner = try makeRunner { $0.poolSize = 1 }
        defer { runner.shutDown() }
        runner.prewarm(skillPath: try await FixtureSkills.path(for: "echo"), sha256: "echo", memoryLimitBytes: nil, grants: .none)
        await eventually(within: .seconds(3)) { !runner.pool.idleWorkerPIDs(sha256: "echo").isEmpty }
        signal(SIGHUP, previousHangup)
        signal(SIGQUIT, previousQuit)
        let worker = WorkerProcesses.worker(startedAs: try #require(runner.pool.idleWorkerPIDs(sha256: "echo").first))
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker)/fd").compactMap(Int32.init)
        #expect(!descriptors.contains(leaked), "fd \(leaked) leaked into the worker: \(descriptors.sorted())")
        #expect(descriptors.sorted() == Self.workerDescriptors, "\(descriptors.sorted())")
        let status = try String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)
        let ignoredLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("SigIgn:") })
        let ignored = try #require(UInt64(ignoredLine.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16))
        #expect(ignored & (1 << (SIGHUP - 1)) == 0, "SIGHUP is ignored in the worker")
        #expect(ignored & (1 << (SIGQUIT - 1)) == 0, "SIGQUIT is ignored in the worker")
    }

    /// What an idle worker has open: stdin (/dev/null), the stdout and stderr pipes and the
    /// socket. (Measured: the worker opens nothing of its own that stays open; the skill's
    /// file is mapped, not held open.)
    private static let workerDescriptors: [Int32] = [0, 1, 2, 3]

    @Test("exit(3) in run is crashed with its status")
    func exitInRun() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let failure = try #require(failureOf( try await run(runner, "exits")))
        #expect(failure.kind == .crashed)
        #expect(failure.description.contains("exited with status 3"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("an infinite loop passes its deadline, and the worker is killed")
    func spin() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await run(runner, "spins", timeout: .milliseconds(300))
        #expect(clock.now - start < .seconds(3))
        #expect(failureOf( report) == .timedOut(after: .milliseconds(300)))
        try await expectEchoWorks(runner)
    }

    @Test("allocating without bound hits the memory limit, and the message says so")
    func memoryLimit() async throws {
        let runner = try makeRunner { $0.memoryLimitBytes = 1 << 30 }
        defer { runner.shutDown() }
        let failure = try #require(failureOf( try await run(runner, "allocates", timeout: .seconds(30))))
        #expect(failure.kind == .crashed, "\(failure)")
        #expect(failure.description.contains("(memory limit 1024 MiB; RLIMIT_AS)"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("a per-skill memory limit: 256 MiB crashes allocates naming it; the default serves echo")
    func perSkillMemoryLimit() async throws {
        let runner = try makeRunner { $0.memoryLimitBytes = 1 << 30 }
        defer { runner.shutDown() }
        let allocates = await runner.run(
            skillPath: try await FixtureSkills.path(for: "allocates"), sha256: "allocates", memoryLimitBytes: 256 << 20, grants: .none,
            invocation: Invocation(input: Array("{}".utf8), model: nil, timeout: .seconds(30)))
        let failure = try #require(failureOf(allocates))
        #expect(failure.kind == .crashed, "\(failure)")
        #expect(failure.description.contains("(memory limit 256 MiB; RLIMIT_AS)"), "\(failure)")
        try await expectEchoWorks(runner)
        // A worker of another limit is not reused: echo under 512 MiB gets a worker of its own.
        let idleBefore = Set(runner.pool.idleWorkerPIDs(sha256: "echo"))
        let limited = await runner.run(
            skillPath: try await FixtureSkills.path(for: "echo"), sha256: "echo", memoryLimitBytes: 512 << 20, grants: .none,
            invocation: Invocation(input: Array("{}".utf8), model: nil, timeout: .seconds(20)))
        #expect(try limited.outcome.get() == "{}")
        #expect(Set(runner.pool.idleWorkerPIDs(sha256: "echo")).isStrictSuperset(of: idleBefore))
    }

    @Test("inspect: a manifest, the loader's refusal, a crashing and a hanging ELF constructor")
    func inspect() async throws {
        let runner = try makeRunner { $0.inspectionTimeout = .seconds(1) }
        defer { runner.shutDown() }
        #expect(try await runner.inspect(path: FixtureSkills.path(for: "echo")).get().name == "echo")
        let noEntry = try await FixtureSkills.path(for: "no_entry")
        guard case let .failure(.refused(message)) = await runner.inspect(path: noEntry) else {
            Issue.record("expected the loader's refusal")
            return
        }
        #expect(message.contains("exports no `skill_entry`"))
        let crashPath = try await FixtureSkills.path(for: "constructor_crash")
        let crash = await runner.inspect(path: crashPath)
        #expect(crash.failureDescription?.hasPrefix("\(crashPath) crashed while loading (killed by SIGSEGV)") == true,
                "\(crash)")
        let hangPath = try await FixtureSkills.path(for: "constructor_hangs")
        let clock = ContinuousClock()
        let start = clock.now
        let hang = await runner.inspect(path: hangPath)
        #expect(hang.failureDescription?.hasPrefix("\(hangPath) did not finish loading within 1 s") == true, "\(hang)")
        #expect(clock.now - start < .seconds(3))
    }

    @Test("prewarm starts a loaded worker before any run")
    func prewarm() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        runner.prewarm(skillPath: try await FixtureSkills.path(for: "echo"), sha256: "echo", memoryLimitBytes: nil, grants: .none)
        await eventually(within: .seconds(3)) { !runner.pool.idleWorkerPIDs(sha256: "echo").isEmpty }
        let warm = try #require(runner.pool.idleWorkerPIDs(sha256: "echo").first)
        try await expectEchoWorks(runner)
        #expect(runner.pool.idleWorkerPIDs(sha256: "echo").contains(warm), "the prewarmed worker served the run")
    }

    @Test("a deadlock in init is a timeout, not a hang")
    func initDeadlock() async throws {
        let runner = try makeRunner { $0.backgroundLoadTimeout = .seconds(2) }
        defer { runner.shutDown() }
        let report = try await run(runner, "init_deadlock", timeout: .milliseconds(500))
        #expect(failureOf( report) == .timedOut(after: .milliseconds(500)))
        try await expectEchoWorks(runner)
    }

    @Test("1 MiB of garbage on stdout and stderr: the run succeeds with bounded logs")
    func stdoutGarbage() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let report = try await run(runner, "stdout_garbage")
        #expect(try report.outcome.get() == "{}")
        #expect(report.logs.contains { $0.level == .stdout })
        #expect(report.logs.contains { $0.level == .stderr })
        let totalBytes = report.logs.reduce(0) { $0 + $1.message.utf8.count }
        // 64 KiB kept per stream; lossy decoding can triple a byte (U+FFFD), plus prefixes.
        #expect(totalBytes < 2 * 3 * (64 << 10) + 64 << 10, "logs hold \(totalBytes) bytes")
        #expect(report.logs.count <= 2 * (AttachedWorker.maximumCapturedLines + 1))
        #expect(report.logs.contains { $0.message.contains("dropped") })
        try await expectEchoWorks(runner)
    }

    @Test("64 MiB of output is refused, larger than the cap")
    func hugeOutput() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let failure = try #require(failureOf( try await run(runner, "huge_output", timeout: .seconds(30))))
        #expect(failure.kind == .skillFailed)
        #expect(failure.description.contains("larger than the limit of \(16 << 20) bytes"), "\(failure)")
        try await expectEchoWorks(runner)
    }

    @Test("a failed inference resumes the caller at once and the worker is killed without an answer")
    func trappedInference() async throws {
        let inference = ScriptedInference(.fail(.connectionFailed(endpoint: "http://127.0.0.1:9/v1/completions", reason: "connection refused")))
        let runner = try makeRunner(inference: inference) { $0.poolSize = 0 }
        defer { runner.shutDown() }
        let before = Set(runner.pool.livePIDs)
        let clock = ContinuousClock()
        let start = clock.now
        let report = try await run(runner, "complete_twice", input: "prompt")
        #expect(clock.now - start < .seconds(2))
        let failure = try #require(failureOf( report))
        #expect(failure.kind == .inferenceFailed)
        #expect(failure.description.contains("connection refused"))
        #expect(inference.requests == 1, "the skill never made its second call: it was killed first")
        #expect(before.isEmpty && runner.pool.livePIDs.isEmpty, "the worker left the pool")
        try await expectEchoWorks(runner)
    }

    @Test("invalid arguments to a host function trap the run in a worker as they do in process",
          arguments: ["log", "set_error", "result_size", "params_size"])
    func hostFunctionMisuse(misuse: String) async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        let inProcess = try await run(InProcessRunner(inference: ScriptedInference(.answer(delay: .zero))), "csi_misuse",
                                      input: misuse)
        let inWorker = try await run(runner, "csi_misuse", input: misuse)
        #expect(failureOf(inWorker)?.kind == .invalidCSICall, "\(inWorker.outcome)")
        #expect(failureOf(inWorker) == failureOf(inProcess))
    }

    @Test("the worker of a trapped run no longer exists")
    func trappedWorkerIsGone() async throws {
        let runner = try makeRunner { $0.poolSize = 0 }
        defer { runner.shutDown() }
        // A warm worker, then a run of it that is trapped by its deadline.
        let report = try await run(runner, "sleeps", input: "5")
        #expect(try report.outcome.get() == "{}")
        let pid = try #require(runner.pool.idleWorkerPIDs(sha256: "sleeps").last)
        let trapped = try await run(runner, "sleeps", input: "10000", timeout: .milliseconds(200))
        #expect(failureOf( trapped)?.kind == .timeout)
        await eventually(within: .seconds(3)) { !Self.processExists(pid) }
        #expect(!Self.processExists(pid), "worker \(pid) was killed and reaped")
    }

    @Test("a warm worker serves the next run: same pid")
    func warmReuse() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        _ = try await run(runner, "echo")
        let first = try #require(runner.pool.idleWorkerPIDs(sha256: "echo").last)
        _ = try await run(runner, "echo")
        let second = try #require(runner.pool.idleWorkerPIDs(sha256: "echo").last)
        #expect(first == second)
        #expect(Self.processExists(first))
    }

    @Test("a crashed worker is replaced, and evict shuts idle workers down")
    func replacementAndEviction() async throws {
        let runner = try makeRunner()
        defer { runner.shutDown() }
        _ = try await run(runner, "segfaults")
        // The pool replaces it in the background: a loaded worker waits for the next run.
        await eventually(within: .seconds(3)) { !runner.pool.idleWorkerPIDs(sha256: "segfaults").isEmpty }
        let idle = runner.pool.idleWorkerPIDs(sha256: "segfaults")
        #expect(idle.count == 1)
        runner.evict(sha256: "segfaults")
        #expect(runner.pool.idleWorkerPIDs(sha256: "segfaults").isEmpty)
        await eventually(within: .seconds(3)) { idle.allSatisfy { !Self.processExists($0) } }
        #expect(idle.allSatisfy { !Self.processExists($0) })
    }

    @Test("runs beyond max_workers_per_skill wait for a worker")
    func concurrencyLimit() async throws {
        let runner = try makeRunner { $0.maximumWorkersPerSkill = 2; $0.poolSize = 0 }
        defer { runner.shutDown() }
        let clock = ContinuousClock()
        let start = clock.now
        let reports = try await withThrowingTaskGroup(of: InvocationReport.self) { group in
            for _ in 0..<4 {
                group.addTask { try await self.run(runner, "sleeps", input: "300") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let elapsed = clock.now - start
        #expect(reports.allSatisfy { (try? $0.outcome.get()) == "{}" })
        #expect(elapsed >= .milliseconds(600), "two waves of two: \(elapsed)")
        #expect(runner.pool.livePIDs.count <= 2)
    }

    @Test("measured: a noop run in process, in a warm worker, and with a fresh worker")
    func costs() async throws {
        let runner = try makeRunner { $0.poolSize = 0 }
        defer { runner.shutDown() }
        let inProcess = InProcessRunner(inference: ScriptedInference(.answer(delay: .zero)))
        func median(_ count: Int, _ body: () async throws -> Void) async rethrows -> Duration {
            var samples: [Duration] = []
            let clock = ContinuousClock()
            for _ in 0..<count {
                let start = clock.now
                try await body()
                samples.append(clock.now - start)
            }
            return samples.sorted()[count / 2]
        }
        _ = try await run(inProcess, "echo")
        _ = try await run(runner, "echo")
        let inProcessMedian = try await median(200) { _ = try await run(inProcess, "echo") }
        let warmMedian = try await median(200) { _ = try await run(runner, "echo") }
        let freshMedian = try await median(20) {
            runner.evict(sha256: "echo")
            _ = try await run(runner, "echo")
        }
        print("measured (median): echo in process \(inProcessMedian), warm worker \(warmMedian), "
              + "fresh worker (spawn + load + run) \(freshMedian)")
        #expect(warmMedian < .milliseconds(50))
        #expect(freshMedian < .seconds(2))
    }
}

extension Result {
    /// The failure's description, or nil on success.
    fileprivate var failureDescription: String? {
        if case let .failure(error) = self { return "\(error)" }
        return nil
    }
}

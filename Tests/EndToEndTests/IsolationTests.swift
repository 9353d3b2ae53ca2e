import Foundation
import Glibc
import JSONRPC
import Registry
import Testing
import TestSupport

/// Process isolation through the real daemon: a crashing skill never takes it down, and
/// hundreds of crashes leave no leaked descriptors, threads, processes or memory.
@Suite("Process isolation through the real daemon", .serialized)
struct IsolationTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("a segfaulting skill (default isolation: process) is crashed with SIGSEGV; hello still runs")
    func segfault() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "segfaults")).status == 0)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let shown = try await daemon.skillctl("--json", "show", "segfaults")
        #expect(try shown.json()["isolation"] == "process")

        let run = try await daemon.skillctl("run", "segfaults")
        #expect(run.status == 8)
        #expect(run.standardError.contains("SIGSEGV"), "\(run.standardError)")
        let record = try #require(try daemon.registry().runs(matching: RunQuery(skillName: "segfaults")).first)
        #expect(record.status == .crashed && record.errorKind == .crashed)

        let hello = try await daemon.skillctl("run", "hello", #"{"name":"after the crash"}"#)
        #expect(hello.status == 0, "\(hello.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a skill that sends itself SIGKILL is crashed with a message that blames neither memory nor the OOM killer")
    func selfInflictedSIGKILL() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "raises_sigkill")).status == 0)
        let run = try await daemon.skillctl("run", "raises-sigkill")
        #expect(run.status == 8, "crashed: \(run.standardError)")
        let record = try #require(try daemon.registry().runs(matching: RunQuery(skillName: "raises-sigkill")).first)
        #expect(record.status == .crashed)
        let message = try #require(record.errorMessage)
        #expect(message.contains("killed by SIGKILL, not sent by the daemon (the skill, another process or the kernel)"),
                "\(message)")
        #expect(!message.contains("memory") && !message.contains("most likely"), "\(message)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("skillctl isolation and install --isolation switch a skill between the modes")
    func switchIsolation() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let echo = try await FixtureSkills.path(for: "echo")
        #expect(try await daemon.skillctl("install", echo, "--isolation", "inprocess").status == 0)
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["isolation"] == "inprocess")
        let switched = try await daemon.skillctl("isolation", "echo@1.0.0", "process")
        #expect(switched.status == 0, "\(switched.standardError)")
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["isolation"] == "process")
        #expect(try await daemon.skillctl("run", "echo", #"{"x":1}"#).status == 0)
        #expect(try await daemon.skillctl("isolation", "nope", "process").status == 4)
        #expect(try await daemon.skillctl("isolation", "echo", "sideways").status == 2)
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The server error of an RPC call that must fail.
    private func serverError(_ body: () async throws -> Void) async -> JSONRPCError? {
        do {
            try await body()
            return nil
        } catch let JSONRPCClientError.server(error) {
            return error
        } catch {
            return nil
        }
    }

    /// The pids of the daemon's workers (`skillhostd --worker --parent-pid DAEMON`) that have
    /// the skill file with this hash mapped: loaded, ready for a run.
    private static func loadedWorkers(of daemon: pid_t, sha256: String) -> [pid_t] {
        WorkerProcesses.loaded(of: daemon, sha256: sha256)
    }

    /// Polls up to 10 s for `condition`.
    /// The workers of `daemon` with the skill loaded that are still alive 200 ms after they
    /// were first seen; empty if none shows up within 10 s.
    private static func lastingLoadedWorkers(of daemon: pid_t, sha256: String) async throws -> [pid_t] {
        for _ in 0..<50 {
            let seen = Set(loadedWorkers(of: daemon, sha256: sha256))
            try await Task.sleep(for: .milliseconds(200))
            let lasting = seen.intersection(loadedWorkers(of: daemon, sha256: sha256))
            if !lasting.isEmpty { return lasting.sorted() }
        }
        return []
    }

    @Test("installing a skill whose ELF constructor segfaults is invalid_skill; the daemon keeps serving")
    func constructorCrash() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let client = try JSONRPCClient(socketPath: daemon.socketPath)
        defer { client.close() }
        let path = try await FixtureSkills.path(for: "constructor_crash")
        let error = try #require(await serverError { _ = try await client.call("skills.install", params: ["path": .string(path)]) })
        #expect(error.data?["kind"] == "invalid_skill", "\(error)")
        #expect(error.message.contains("\(path) crashed while loading (killed by SIGSEGV)"), "\(error.message)")
        #expect(try daemon.registry().skills().isEmpty)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let echo = try await client.call("skills.run", params: ["skill": "echo", "input": ["after": "the crash"]])
        #expect(echo["output"]?["after"] == "the crash")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a per-skill memory limit of 256 MiB crashes allocates naming it, while echo keeps the default")
    func perSkillMemoryLimit() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let client = try JSONRPCClient(socketPath: daemon.socketPath)
        defer { client.close() }
        let installed = try await client.call("skills.install", params: [
            "path": .string(try await FixtureSkills.path(for: "allocates")), "memory_limit_bytes": .int(256 << 20),
        ])
        #expect(installed["skill"]?["memory_limit_bytes"] == .int(256 << 20))
        let echo = try await client.call("skills.install", params: ["path": .string(try await FixtureSkills.path(for: "echo"))])
        #expect(echo["skill"]?["memory_limit_bytes"] == .null)
        let tooSmall = await serverError {
            _ = try await client.call("skills.set_limits", params: ["name": "echo", "memory_limit_bytes": 1000])
        }
        #expect(tooSmall?.data?["kind"] == "invalid_params")

        let crash = try #require(await serverError { _ = try await client.call("skills.run", params: ["skill": "allocates"]) })
        #expect(crash.data?["kind"] == "crashed", "\(crash)")
        #expect(crash.message.contains("(memory limit 256 MiB; RLIMIT_AS)"), "\(crash.message)")
        let run = try await client.call("skills.run", params: ["skill": "echo", "input": ["n": 1]])
        #expect(run["output"]?["n"] == 1)
        // The echo worker runs under the daemon's default limit (2 GiB), not the 256 MiB.
        let echoSHA = try #require(echo["skill"]?["sha256"]?.stringValue)
        let worker = try #require(Self.loadedWorkers(of: daemon.process.pid, sha256: echoSHA).first)
        let limits = String(decoding: WorkerProcesses.file(worker, "limits"), as: UTF8.self)
        #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max address space") && $0.contains("\(2 << 30)") }, "\(limits)")

        let reset = try await client.call("skills.set_limits", params: ["name": "allocates", "memory_limit_bytes": .null])
        #expect(reset["skills"]?[0]?["memory_limit_bytes"] == .null)
        let shown = try await daemon.skillctl("--json", "show", "allocates")
        #expect(try shown.json()["memory_limit_bytes"] == .null)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("workers are started at install and at daemon start, before any run; the first run is warm")
    func warmBeforeDemand() async throws {
        let directory = try TemporaryDirectory(prefix: "e2e-warm")
        var daemon = try await DaemonHarness(inferenceURL: noInference, directory: directory)
        let client = try JSONRPCClient(socketPath: daemon.socketPath)
        let installed = try await client.call(
            "skills.install", params: ["path": .string(try await FixtureSkills.path(for: "reports_pid"))])
        let sha256 = try #require(installed["skill"]?["sha256"]?.stringValue)
        let pid = daemon.process.pid
        // The worker that inspected the file at install has it loaded too, for the moment it
        // takes to exit: the pool's workers are those still there 200 ms later.
        let warm = try await Self.lastingLoadedWorkers(of: pid, sha256: sha256)
        #expect(!warm.isEmpty, "no loaded worker of reports-pid after install")
        let first = try await client.call("skills.run", params: ["skill": "reports-pid"])
        let reportedPID = try #require(first["output"]?["pid"]?.int64Value)
        let pidNamespace = try #require(first["output"]?["pid_namespace"]?.stringValue)
        let servedBy = try #require(WorkerProcesses.hostPID(of: pid, reportedPID: reportedPID, pidNamespace: pidNamespace))
        #expect(warm.contains(servedBy), "the first run ran in \(servedBy), not in a worker spawned before it \(warm)")
        client.close()
        #expect(try await daemon.stop() == .exited(0))

        daemon = try await DaemonHarness(inferenceURL: noInference, directory: directory)
        let restarted = daemon.process.pid
        #expect(await eventually(within: .seconds(10)) { !Self.loadedWorkers(of: restarted, sha256: sha256).isEmpty },
                "no loaded worker of reports-pid after the daemon started")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a daemon killed with SIGKILL leaves no worker behind (PR_SET_PDEATHSIG)")
    func workersDieWithTheDaemon() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let installed = try await daemon.skillctl("--json", "install", try await FixtureSkills.path(for: "echo"))
        let sha256 = try #require(try installed.json()["skill"]?["sha256"]?.stringValue)
        let pid = daemon.process.pid
        #expect(await eventually(within: .seconds(10)) { !Self.loadedWorkers(of: pid, sha256: sha256).isEmpty })
        let workers = Self.loadedWorkers(of: pid, sha256: sha256)
        daemon.process.signal(SIGKILL)
        #expect(try await daemon.process.wait() == .killed(signal: SIGKILL))
        #expect(await eventually(within: .seconds(10)) { workers.allSatisfy { !Self.isAlive($0) } }, "workers \(workers) outlived the daemon")
    }

    @Test("a worker left by a dead daemon (stuck before its prctl) is killed at the next start")
    func leftoverWorkerIsKilled() async throws {
        // The leftover: `skillhostd --worker --parent-pid <a shell>` whose LD_PRELOADed
        // constructor hangs before main (so before PR_SET_PDEATHSIG), started in the
        // background by a shell that exits at once: its parent is then the reaper.
        let directory = try TemporaryDirectory(prefix: "e2e-leftover")
        // A copy of the programs of its own, so that only this test's daemon takes the leftover
        // for one of its own (a daemon kills leftovers of its own executable): every other
        // test's daemon, starting meanwhile, leaves it alone.
        let programs = directory.path("bin")
        try FileManager.default.createDirectory(atPath: programs, withIntermediateDirectories: true)
        let build = URL(fileURLWithPath: try BuildProducts.skillhostd()).deletingLastPathComponent()
        // Hard links where they can be: /proc/PID/exe names the path a program was started
        // by, and no file freshly written (whose descriptor a child another test forks may
        // still hold: ETXTBSY) is executed.
        for program in ["skillhostd", "skillctl", "skillhost-worker-init"] {
            let source = build.appendingPathComponent(program).path, target = programs + "/" + program
            if link(source, target) != 0 {
                try FileManager.default.copyItem(atPath: source, toPath: target)
            }
        }
        let pidFile = directory.path("leftover.pid")
        let script = #"LD_PRELOAD="$1" "$2" --worker --parent-pid $$ --memory-limit-bytes 0 </dev/null >/dev/null 2>&1 & echo $! > "$3""#
        let shell = try ChildProcess("/bin/sh", arguments: [
            "-c", script, "sh", try await FixtureSkills.path(for: "constructor_hangs"), programs + "/skillhostd", pidFile,
        ])
        let shellPID = shell.pid
        #expect(try await shell.wait() == .exited(0))
        let leftover = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        defer { kill(leftover, SIGKILL) }
        #expect(await eventually(within: .seconds(10)) { Self.parent(of: leftover).map { $0 != shellPID } ?? false },
                "the leftover \(leftover) was not reparented")
        #expect(Self.isAlive(leftover), "the leftover \(leftover) died on its own")

        let daemon = try await DaemonHarness(inferenceURL: noInference, programs: programs)
        #expect(await eventually(within: .seconds(10)) { !Self.isAlive(leftover) }, "the leftover \(leftover) survived the daemon's start")
        #expect(daemon.log().contains("killed worker processes left by a previous skillhostd"))
        #expect(try await daemon.stop() == .exited(0))
    }

    /// Alive and not a zombie.
    private static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        return !Footprint.isZombie(pid)
    }

    private static func parent(of pid: pid_t) -> pid_t? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }

    /// What the kernel says about a process's resources.
    private struct Footprint {
        var descriptors: Int
        var threads: Int
        var children: [pid_t]
        var residentKiB: Int

        init(pid: pid_t) throws {
            let files = FileManager.default
            descriptors = try files.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
            let tasks = try files.contentsOfDirectory(atPath: "/proc/\(pid)/task")
            threads = tasks.count
            children = tasks.flatMap { task in
                ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                    .split(separator: " ").compactMap { pid_t($0) }
            }
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            residentKiB = Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }

        static func isZombie(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
        }
    }

    @Test("soak: 200 runs alternating segfaults and echo, 4 at a time, leak nothing")
    func soak() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--worker-pool-size", "1"])
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "segfaults")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let client = try JSONRPCClient(socketPath: daemon.socketPath)
        defer { client.close() }
        // Warm up both skills so that the baseline includes their pools.
        _ = try? await client.call("skills.run", params: ["skill": "segfaults"])
        _ = try await client.call("skills.run", params: ["skill": "echo", "input": ["n": 0]])
        try await Task.sleep(for: .milliseconds(500))
        let pid = daemon.process.pid
        let before = try Footprint(pid: pid)

        let (crashed, succeeded) = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for lane in 0..<4 {
                group.addTask {
                    let lanes = try JSONRPCClient(socketPath: daemon.socketPath)
                    defer { lanes.close() }
                    var counts = (0, 0)
                    for index in 0..<50 {
                        if (index + lane) % 2 == 0 {
                            do {
                                _ = try await lanes.call("skills.run", params: ["skill": "segfaults"])
                            } catch {
                                if "\(error)".contains("SIGSEGV") { counts.0 += 1 }
                            }
                        } else {
                            let result = try await lanes.call("skills.run", params: ["skill": "echo", "input": ["n": .int(Int64(index))]])
                            if result["output"]?["n"] == .int(Int64(index)) { counts.1 += 1 }
                        }
                    }
                    return counts
                }
            }
            return try await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
        #expect(crashed == 100 && succeeded == 100, "crashed \(crashed), succeeded \(succeeded)")

        // Replacements are started in the background; let them settle.
        try await Task.sleep(for: .seconds(1))
        let after = try Footprint(pid: pid)
        let zombies = after.children.filter(Footprint.isZombie)
        #expect(zombies.isEmpty, "zombie children: \(zombies)")
        // Bounds: each worker holds 5 descriptors (its pidfd, socket, stdout and stderr pipes,
        // and the status pipe of its init) and 2 threads in the daemon; the pools may hold a
        // worker or two more than before (a replacement, a fourth concurrent run).
        #expect(after.descriptors <= before.descriptors + 12, "fds \(before.descriptors) → \(after.descriptors)")
        #expect(after.threads <= before.threads + 8, "threads \(before.threads) → \(after.threads)")
        #expect(after.children.count <= 2 * 8, "children \(after.children)")
        #expect(after.residentKiB <= before.residentKiB + 32 << 10, "RSS \(before.residentKiB) KiB → \(after.residentKiB) KiB")
        print("soak footprint: fds \(before.descriptors) → \(after.descriptors), threads \(before.threads) → \(after.threads), "
              + "children \(before.children.count) → \(after.children.count), RSS \(before.residentKiB) → \(after.residentKiB) KiB")
        #expect(try await daemon.stop() == .exited(0))
        // The kernel kills the workers when the daemon dies (PR_SET_PDEATHSIG) and init reaps
        // them; on a loaded machine that takes a moment.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var survivors = after.children
        while !survivors.isEmpty, clock.now < deadline {
            survivors = survivors.filter { kill($0, 0) == 0 }
            if !survivors.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(survivors.isEmpty, "workers \(survivors) outlived the daemon by 10 s")
    }
}

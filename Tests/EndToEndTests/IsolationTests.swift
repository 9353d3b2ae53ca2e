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
        #expect(try await daemon.skillctl("install", try FixtureSkills.path(for: "segfaults")).status == 0)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let shown = try await daemon.skillctl("--json", "show", "segfaults")
        #expect(try shown.json()["isolation"] == "process")

        let run = try await daemon.skillctl("run", "segfaults")
        #expect(run.status == 1)
        #expect(run.standardError.contains("SIGSEGV"), "\(run.standardError)")
        let record = try #require(try daemon.registry().runs(matching: RunQuery(skillName: "segfaults")).first)
        #expect(record.status == .crashed && record.errorKind == "crashed")

        let hello = try await daemon.skillctl("run", "hello", #"{"name":"after the crash"}"#)
        #expect(hello.status == 0, "\(hello.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("skillctl isolation and install --isolation switch a skill between the modes")
    func switchIsolation() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let echo = try FixtureSkills.path(for: "echo")
        #expect(try await daemon.skillctl("install", echo, "--isolation", "inprocess").status == 0)
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["isolation"] == "inprocess")
        let switched = try await daemon.skillctl("isolation", "echo@1.0.0", "process")
        #expect(switched.status == 0, "\(switched.standardError)")
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["isolation"] == "process")
        #expect(try await daemon.skillctl("run", "echo", #"{"x":1}"#).status == 0)
        #expect(try await daemon.skillctl("isolation", "nope", "process").status == 1)
        #expect(try await daemon.skillctl("isolation", "echo", "sideways").status == 2)
        #expect(try await daemon.stop() == .exited(0))
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
        #expect(try await daemon.skillctl("install", try FixtureSkills.path(for: "segfaults")).status == 0)
        #expect(try await daemon.skillctl("install", try FixtureSkills.path(for: "echo")).status == 0)
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
        // Bounds: each worker holds 3 descriptors and 2 threads in the daemon; the pools may
        // hold a worker or two more than before (a replacement, a fourth concurrent run).
        #expect(after.descriptors <= before.descriptors + 8, "fds \(before.descriptors) → \(after.descriptors)")
        #expect(after.threads <= before.threads + 8, "threads \(before.threads) → \(after.threads)")
        #expect(after.children.count <= 2 * 8, "children \(after.children)")
        #expect(after.residentKiB <= before.residentKiB + 32 << 10, "RSS \(before.residentKiB) KiB → \(after.residentKiB) KiB")
        print("soak footprint: fds \(before.descriptors) → \(after.descriptors), threads \(before.threads) → \(after.threads), "
              + "children \(before.children.count) → \(after.children.count), RSS \(before.residentKiB) → \(after.residentKiB) KiB")
        #expect(try await daemon.stop() == .exited(0))
        for child in after.children {
            #expect(kill(child, 0) != 0, "worker \(child) outlived the daemon")
        }
    }
}

import Foundation
import Glibc
import JSON
import Registry
import Testing
import TestSupport

/// The worker sandbox (docs/SECURITY.md) through the real daemon with its default settings:
/// a hostile skill (`escapes`) tries each way out, and each is refused.
@Suite("The worker sandbox through the real daemon", .serialized)
struct SandboxTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    /// Runs one attempt of `escapes` and returns its output text.
    private static func attempt(_ daemon: DaemonHarness, _ attempt: String) async throws -> String {
        let run = try await daemon.skillctl("--json", "run", "escapes", JSONValue.string(attempt).serialized())
        #expect(run.status == 0, "escapes \(attempt): \(run.standardError)")
        return try run.json()["output"]?.stringValue ?? ""
    }

    @Test("each escape attempt of a hostile skill is refused in a default worker; the runs are recorded; hello and complete still run")
    func escapesAreRefused() async throws {
        let modelURL = try? ModelServer.baseURL()
        let daemon = try await DaemonHarness(inferenceURL: modelURL ?? noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "escapes")).status == 0)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let daemonPID = daemon.process.pid
        // A file any user may read, outside every grant: only the sandbox keeps it out.
        let outside = daemon.directory.path("outside.txt")
        try Data("outside the grants\n".utf8).write(to: URL(fileURLWithPath: outside))
        chmod(daemon.directory.path(""), 0o755)
        chmod(outside, 0o644)
        let listener = try LoopbackListener()

        let attempts = [
            "read /proc/\(daemonPID)/environ", "read \(daemon.dataDirectory)/registry.sqlite3",
            "read \(daemon.dataDirectory)/registry.sqlite3-wal", "connect-unix \(daemon.socketPath)",
            "connect-tcp \(listener.port)", "ptrace \(daemonPID)", "signal \(daemonPID)",
            "write \(daemon.dataDirectory)/escaped", "read \(outside)", "mount /tmp", "unshare",
        ]
        for attempt in attempts {
            let output = try await Self.attempt(daemon, attempt)
            #expect(output.hasPrefix("refused"), "\(attempt): \(output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(daemon.dataDirectory)/escaped"))
        #expect(listener.acceptedConnections() == 0, "a connection reached the test's port")

        // The process limit (sandbox_process_limit, 256 by default) stops a fork bomb.
        let forks = try await Self.attempt(daemon, "fork 100000")
        #expect(forks.hasPrefix("refused EAGAIN after "), "\(forks)")
        #expect((Int(forks.split(separator: " ").last ?? "") ?? .max) < 256, "\(forks)")

        // A child that leaves its session ends with its run.
        let name = "orphan\(getpid() % 10000)"
        #expect(try await Self.attempt(daemon, "orphan \(name)").hasPrefix("ok"))
        #expect(await eventually(within: .seconds(5)) { Self.processes(named: name).isEmpty },
                "\(name) outlived its run: \(Self.processes(named: name))")

        // Inside: uid 0 of its own namespace, no capability, no_new_privs, a seccomp filter.
        let status = try await Self.attempt(daemon, "status")
        #expect(status.contains("CapEff:\t0000000000000000") && status.contains("NoNewPrivs:\t1")
            && status.contains("Seccomp:\t2"), "\(status)")

        let records = try daemon.registry().runs(matching: RunQuery(skillName: "escapes"))
        #expect(records.count == attempts.count + 3 && records.allSatisfy { $0.status == .succeeded })
        let hello = try await daemon.skillctl("run", "hello", #"{"name":"sandboxed"}"#)
        #expect(hello.status == 0, "\(hello.standardError)")
        if modelURL != nil {
            #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
            let complete = try await daemon.skillctl("run", "complete", #"{"prompt":"The capital of France is","max_tokens":8}"#)
            #expect(complete.status == 0, "\(complete.standardError)")
            #expect(!complete.standardOutput.isEmpty)
        } else {
            print("SandboxTests: no model server (SKILLHOST_TEST_MODEL_URL): the real-model complete run is not checked here")
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("grants let a skill read the granted path only, reach the host's network, and fork no more than granted; the data directory cannot be granted")
    func grantsOpenOnlyWhatTheyName() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "escapes")).status == 0)
        // Two files any user may read (workers run as uid 65534), in a directory outside the data directory.
        let directory = daemon.directory.path("granted")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (granted, sibling) = (directory + "/a", directory + "/b")
        try Data("granted file\n".utf8).write(to: URL(fileURLWithPath: granted))
        try Data("sibling file\n".utf8).write(to: URL(fileURLWithPath: sibling))
        chmod(daemon.directory.path(""), 0o755)
        chmod(directory, 0o755)
        chmod(granted, 0o644)
        chmod(sibling, 0o644)

        #expect(try await Self.attempt(daemon, "read \(granted)").hasPrefix("refused"))
        let grant = try await daemon.skillctl("grant", "escapes", "--read-only", granted)
        #expect(grant.status == 0, "\(grant.standardError)")
        let read = try await Self.attempt(daemon, "read \(granted)")
        #expect(read.hasPrefix("ok") && read.contains("granted file"), "\(read)")
        let refused = try await Self.attempt(daemon, "read \(sibling)")
        #expect(refused.hasPrefix("refused"), "\(refused)")
        let shown = try await daemon.skillctl("show", "escapes")
        #expect(shown.standardOutput.contains(granted), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("process limit") && shown.standardOutput.contains("default"),
                "\(shown.standardOutput)")

        // The network: refused without the grant, through with it.
        let listener = try LoopbackListener()
        #expect(try await Self.attempt(daemon, "connect-tcp \(listener.port)").hasPrefix("refused"))
        #expect(listener.acceptedConnections() == 0)
        #expect(try await daemon.skillctl("grant", "escapes", "--network", "host").status == 0)
        let connected = try await Self.attempt(daemon, "connect-tcp \(listener.port)")
        #expect(connected.hasPrefix("ok"), "\(connected)")
        // The read-only grant stayed as it was.
        #expect(try await Self.attempt(daemon, "read \(granted)").hasPrefix("ok"))
        #expect(try await daemon.skillctl("grant", "escapes", "--network", "none").status == 0)
        #expect(try await Self.attempt(daemon, "connect-tcp \(listener.port)").hasPrefix("refused"))

        // The process limit.
        #expect(try await daemon.skillctl("grant", "escapes", "--max-processes", "16").status == 0)
        let forks = try await Self.attempt(daemon, "fork 100")
        #expect(forks.hasPrefix("refused EAGAIN after "), "\(forks)")
        #expect((Int(forks.split(separator: " ").last ?? "") ?? .max) < 16, "\(forks)")

        // The registry is never granted: not the data directory, nothing in it, nothing containing it.
        // invalid_params exits 2: what the command line names is wrong, as a usage error is.
        for path in [daemon.dataDirectory, daemon.dataDirectory + "/registry.sqlite3", daemon.directory.path] {
            let refusal = try await daemon.skillctl("grant", "escapes", "--read-only", path)
            #expect(refusal.status == 2, "\(path): \(refusal.standardError)")
            #expect(refusal.standardError.contains("invalid params: read_only_paths holds \"\(path)\""),
                    "\(refusal.standardError)")
        }
        let missing = try await daemon.skillctl("grant", "escapes", "--read-only", directory + "/missing")
        #expect(missing.status == 2 && missing.standardError.contains(directory + "/missing"), "\(missing.standardError)")
        let record = try daemon.registry().skill(named: "escapes", version: nil)
        #expect(record?.grants.readOnlyPaths == [granted] && record?.grants.processLimit == 16)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("host.status and skillctl status say which layers are active; every one is on this machine")
    func layersAreReported() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        let status = try await daemon.call("host.status")
        #expect(status["sandbox"]?["mode"] == "on")
        let layers = status["sandbox"]?["layers"]?.arrayValue ?? []
        let states = Dictionary(uniqueKeysWithValues: layers.compactMap { layer -> (String, Bool)? in
            guard let name = layer["layer"]?.stringValue, let active = layer["active"]?.boolValue else { return nil }
            return (name, active)
        })
        print("SandboxTests: sandbox layers on this machine: "
            + layers.map { "\($0["layer"]?.stringValue ?? "?")=\($0["active"]?.boolValue == true ? "on" : "off (\($0["detail"]?.stringValue ?? ""))")" }
                .joined(separator: ", "))
        let expected = ["user_namespace", "pid_namespace", "mount_namespace", "network_namespace", "ipc_namespace",
                        "file_system_view", "unprivileged_user", "no_capabilities", "no_new_privs", "landlock", "seccomp",
                        "process_limit"]
        #expect(Set(states.keys) == Set(expected))
        for layer in expected where states[layer] != true {
            // Where the kernel lacks a layer, say so rather than pass in silence.
            Issue.record("the sandbox layer \(layer) is not active on this machine: \(layers)")
        }
        let shown = try await daemon.skillctl("status")
        #expect(shown.standardOutput.contains("sandbox"), "\(shown.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The pids of processes whose name (`comm`) is `name`.
    private static func processes(named name: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { pid in
            String(decoding: WorkerProcesses.file(pid, "comm"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
    }
}

/// A TCP socket listening on 127.0.0.1 on a free port, counting the connections that reach it.
final class LoopbackListener: Sendable {
    let port: UInt16
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else { throw HarnessError("bind/listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// How many connections are waiting to be accepted (each is accepted and closed).
    func acceptedConnections() -> Int {
        var count = 0
        while case let connection = accept(descriptor, nil, nil), connection >= 0 {
            close(connection)
            count += 1
        }
        return count
    }
}

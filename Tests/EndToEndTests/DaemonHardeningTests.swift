import Foundation
import Glibc
import JSON
import JSONRPC
import TestSupport
import Testing

/// The daemon against its own user's other processes and against clients that ask too
/// much: it is not dumpable, creates only private files, caps its connections, request
/// lines and batches with errors that name the setting, and queues a burst of connects.
/// (The key variables it overwrites in its environment area are checked with the keys
/// themselves, in InferenceSecretsTests.)
@Suite("The real daemon hardened against its user's processes and greedy clients")
struct DaemonHardeningTests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!
    /// `nobody`, which no other test process runs as.
    private static let unprivilegedUser: uid_t = 65534

    /// The fields of `/proc/PID/status`, by name.
    private func status(of pid: pid_t) throws -> [String: String] {
        let text = try ProcFile.text("/proc/\(pid)/status")
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// The peak resident memory of process `pid` (`VmHWM`), in KiB.
    private func peakResidentKiB(of pid: pid_t) throws -> Int {
        let field = try #require(try status(of: pid)["VmHWM"], "no VmHWM in /proc/\(pid)/status")
        return try #require(Int(field.split(separator: " ").first ?? ""))
    }

    /// Runs `command` as the unprivileged user, through `setpriv`.
    private func asUnprivilegedUser(_ command: [String]) async throws -> (status: Termination, output: String, errors: String) {
        let child = try ChildProcess(
            "/usr/bin/setpriv", arguments: ["--reuid=\(Self.unprivilegedUser)", "--regid=\(Self.unprivilegedUser)",
                                            "--clear-groups", "--"] + command,
            standardOutput: .pipe, standardError: .pipe)
        let output = try await child.readAll(from: .standardOutput)
        let errors = try await child.readAll(from: .standardError)
        return (try await child.wait(), output, errors)
    }

    @Test("a process of the daemon's own user cannot read its /proc environ, which /proc gives to root")
    func notDumpable() async throws {
        try #require(getuid() == 0, "this test starts the daemon as uid \(Self.unprivilegedUser), which needs root")
        let daemon = try await DaemonHarness(inferenceURL: noInference, user: Self.unprivilegedUser)
        let pid = daemon.process.pid
        let identity = try status(of: pid)
        #expect(identity["Uid"]?.split(separator: "\t").first == "\(Self.unprivilegedUser)", "\(identity["Uid"] ?? "no Uid")")
        // A process that is not dumpable has its /proc files owned by root.
        var info = stat()
        #expect(stat("/proc/\(pid)/environ", &info) == 0)
        #expect(info.st_uid == 0, "/proc/\(pid)/environ belongs to uid \(info.st_uid): the daemon is dumpable")

        let refused = try await asUnprivilegedUser(["/bin/cat", "/proc/\(pid)/environ"])
        #expect(refused.status == .exited(1))
        #expect(refused.errors.contains("Permission denied"), "\(refused.errors)")
        #expect(refused.output.isEmpty)
        // The same reader may read the environment of a process of that user that is
        // dumpable, as every process is unless it says otherwise.
        // (Read once the child has executed `sleep`: while a process executes, its environ
        // can read as empty.)
        let allowed = try await asUnprivilegedUser(["/bin/sh", "-c", "sleep 5 & sleep 0.3; cat /proc/$!/environ; kill $!"])
        #expect(allowed.output.contains("PATH="), "the control reader read nothing: \(allowed.errors)")

        #expect(daemon.log().contains(#""dumpable":false"#))

        // Not dumpable, and not root, the daemon still starts its workers (from
        // /proc/self/exe) and runs skills in them.
        let skill = daemon.directory.path("libhello.so")
        try FileManager.default.copyItem(atPath: try BuildProducts.plugin(named: "hello"), toPath: skill)
        #expect(chown(skill, Self.unprivilegedUser, Self.unprivilegedUser) == 0)
        let install = try await daemon.skillctl("install", skill)
        #expect(install.status == 0, "\(install.standardError)")
        let run = try await daemon.skillctl("--json", "run", "hello", #"{"name":"nobody"}"#)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try run.json()["output"]?["greeting"]?.stringValue?.contains("nobody") == true, "\(run.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a daemon that is not root never makes a copy of itself dumpable to start a sandboxed worker (strace)")
    func noDumpableCopy() async throws {
        try #require(getuid() == 0, "this test starts the daemon as uid \(Self.unprivilegedUser), which needs root")
        let daemon = try await DaemonHarness(inferenceURL: noInference, user: Self.unprivilegedUser)
        // Every thread of the daemon, so that the clone of whichever starts the worker is followed.
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(daemon.process.pid)/task")
        let trace = daemon.directory.path("strace.txt")
        let tracer = try ChildProcess(
            "strace", arguments: ["-f", "-qq", "-e", "trace=prctl,execve", "-o", trace, "-p", threads.joined(separator: ",")],
            standardError: .pipe)
        // strace says nothing on a successful attach: wait until each thread has a tracer.
        await eventually(within: .seconds(10)) {
            threads.allSatisfy { thread in
                (try? ProcFile.text("/proc/\(daemon.process.pid)/task/\(thread)/status"))?
                    .split(separator: "\n").contains { $0.hasPrefix("TracerPid:") && !$0.hasSuffix("\t0") } == true
            }
        }
        let skill = daemon.directory.path("libhello.so")
        try FileManager.default.copyItem(atPath: try BuildProducts.plugin(named: "hello"), toPath: skill)
        #expect(chown(skill, Self.unprivilegedUser, Self.unprivilegedUser) == 0)
        #expect(try await daemon.skillctl("install", skill).status == 0)
        let run = try await daemon.skillctl("--json", "run", "hello", #"{"name":"traced"}"#)
        #expect(run.status == 0, "\(run.standardError)")
        tracer.signal(SIGINT)
        _ = try await tracer.wait()
        let calls = try String(contentsOfFile: trace, encoding: .utf8)
        #expect(calls.contains("skillhost-worker-init"), "no sandboxed worker was started while traced: \(calls)")
        #expect(calls.contains("--start-fd"), "the init was not told to wait for its maps: \(calls)")
        // strace names the value 1 (SUID_DUMP_USER); either spelling is a copy made dumpable.
        let madeDumpable = calls.split(separator: "\n").filter {
            $0.contains("PR_SET_DUMPABLE, SUID_DUMP_USER") || $0.contains("PR_SET_DUMPABLE, 1")
        }
        #expect(madeDumpable.isEmpty, "a copy of the daemon was made dumpable: \(madeDumpable)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("in a data directory of mode 0755, everything the daemon creates is its user's alone")
    func privateFiles() async throws {
        let directory = try TemporaryDirectory(prefix: "private")
        let data = directory.path("data")
        #expect(mkdir(data, 0o755) == 0 && chmod(data, 0o755) == 0 && chmod(directory.path, 0o755) == 0)
        let daemon = try await DaemonHarness(inferenceURL: noInference, directory: directory)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let run = try await daemon.skillctl("run", "hello", #"{"name":"private"}"#)
        #expect(run.status == 0, "\(run.standardError)")

        var created: [String: mode_t] = [:]
        for root in [data, directory.path("run")] {
            let enumerator = try #require(FileManager.default.enumerator(atPath: root))
            while let relative = enumerator.nextObject() as? String {
                var info = stat()
                #expect(lstat(root + "/" + relative, &info) == 0)
                created[root + "/" + relative] = info.st_mode & 0o777
            }
        }
        for name in ["registry.sqlite3", "registry.sqlite3-wal", "registry.sqlite3-shm", "skills/sha256"] {
            #expect(created[data + "/" + name] != nil, "\(name) is not in the data directory: \(created.keys.sorted())")
        }
        #expect(created.keys.contains { $0.hasSuffix(".so") }, "the skill store holds no file: \(created.keys.sorted())")
        #expect(created.keys.contains { $0.hasSuffix("skillhostd.sock.lock") })
        for (path, mode) in created.sorted(by: { $0.key < $1.key }) {
            #expect(mode & 0o077 == 0, "\(path) has mode \(String(mode, radix: 8)): its group or others may use it")
        }
        #expect(try await daemon.stop() == .exited(0))

        // Files left readable by others (as an older skillhost made them) are made private
        // when the next daemon opens them.
        let exposed = [data + "/registry.sqlite3"] + created.keys.filter { $0.hasSuffix(".so") }
        for path in exposed { #expect(chmod(path, path.hasSuffix(".so") ? 0o444 : 0o644) == 0) }
        let next = try await DaemonHarness(inferenceURL: noInference, directory: directory)
        for path in exposed {
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o077 == 0, "\(path) still has mode \(String(info.st_mode & 0o777, radix: 8))")
        }
        #expect(try await next.skillctl("run", "hello", #"{"name":"again"}"#).status == 0, "the skill still runs")
        #expect(try await next.stop() == .exited(0))
    }

    @Test("beyond max_connections a client is told why and closed; once one leaves, a new client is served")
    func connectionLimit() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--max-connections", "4"])
        #expect(daemon.log().contains(#""max_connections":4"#))
        // Four clients are served. The harness's own status calls have ended, but the daemon
        // may not have let their connections go yet: a client refused meanwhile tries again.
        var served: [RawLineClient] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while served.count < 4, ContinuousClock.now < deadline {
            let client = try RawLineClient(path: daemon.socketPath)
            try? client.send(#"{"jsonrpc":"2.0","method":"host.status","id":1}"#)
            let answer = await client.nextJSON()
            if answer?["result"]?["version"] != nil {
                served.append(client)
            } else {
                #expect(answer?["error"]?["data"]?["kind"] == "too_many_connections", "\(String(describing: answer))")
                client.close()
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try #require(served.count == 4, "four clients were not served within 10 s")

        let extra = try RawLineClient(path: daemon.socketPath)
        let refusal = try #require(await extra.nextJSON(), "the fifth client got no answer")
        #expect(refusal["id"] == .null)
        #expect(refusal["error"]?["code"] == -32014)
        #expect(refusal["error"]?["data"]?["kind"] == "too_many_connections")
        let message = refusal["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("4 connections") && message.contains("max_connections"), "\(message)")
        #expect(await extra.next() == .end, "the refused connection is closed")

        let refusedCommand = try await daemon.skillctl("status")
        #expect(refusedCommand.status == 9, "too_many_connections is skillctl's 'no room now': \(refusedCommand.standardError)")
        #expect(refusedCommand.standardError.contains("max_connections"), "\(refusedCommand.standardError)")

        served.removeFirst().close()
        #expect(try await daemon.answersStatus(within: .seconds(10)), "a client was refused after one of the four left")
        for client in served { client.close() }
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a burst of 1,000 connects while the daemon cannot accept is queued whole: the backlog is somaxconn")
    func listenBacklog() async throws {
        let somaxconn = try #require(Int(try ProcFile.text("/proc/sys/net/core/somaxconn")
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        try #require(somaxconn >= 1000, "somaxconn is \(somaxconn) here: a burst of 1,000 cannot all be queued")
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--max-connections", "8"])
        #expect(daemon.log().contains(#""listen_backlog":\#(somaxconn)"#), "the log does not give the backlog \(somaxconn)")

        daemon.process.signal(SIGSTOP)
        var descriptors: [Int32] = []
        var refused = 0
        for _ in 0..<1000 {
            let (descriptor, error) = Self.connectWithoutWaiting(to: daemon.socketPath)
            descriptors.append(descriptor)
            if error != 0 { refused += 1 }
        }
        daemon.process.signal(SIGCONT)
        #expect(refused == 0, "\(refused) of 1,000 connects were refused (EAGAIN: the listen backlog is full)")
        for descriptor in descriptors { close(descriptor) }
        #expect(try await daemon.answersStatus(within: .seconds(20)), "the daemon does not serve after the burst")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// A socket connecting to `path` without waiting for room in the backlog, and the
    /// `errno` of its `connect` (0 when it was queued).
    private static func connectWithoutWaiting(to path: String) -> (descriptor: Int32, errno: Int32) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        let result = withUnixSocketAddress(path) { connect(descriptor, $0, $1) }
        return (descriptor, result == 0 ? 0 : errno)
    }

    @Test("a line over max_request_bytes is refused by name, and read no further than the limit")
    func requestSizeLimit() async throws {
        let limit = 1 << 20
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--max-request-bytes", "\(limit)"])
        let pid = daemon.process.pid

        // A request of exactly the limit (padded with JSON whitespace) is answered.
        let request = #"{"jsonrpc":"2.0","method":"host.status","id":1}"#
        let atLimit = try RawLineClient(path: daemon.socketPath)
        try atLimit.send(request + String(repeating: " ", count: limit - request.utf8.count))
        #expect(await atLimit.nextJSON()?["result"]?["version"] != nil, "a line of exactly the limit was not served")
        atLimit.close()

        // A line of 64 MiB: the daemon reads 1 MiB of it, answers, and hangs up while the
        // client is still writing.
        let before = try peakResidentKiB(of: pid)
        let oversized = try RawLineClient(path: daemon.socketPath)
        let socket = oversized.socket
        let writer = Thread {
            let piece = [UInt8](repeating: UInt8(ascii: " "), count: 1 << 20)
            _ = try? socket.write(Array(#"{"jsonrpc":"2.0","method":"host.status","id":2}"#.utf8))
            for _ in 0..<64 {
                guard (try? socket.write(piece)) != nil else { return }
            }
            _ = try? socket.write([UInt8(ascii: "\n")])
        }
        writer.start()
        let refusal = try #require(await oversized.nextJSON(), "no answer to a line over the limit")
        #expect(refusal["id"] == .null)
        #expect(refusal["error"]?["code"] == -32600)
        let message = refusal["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("\(limit) bytes") && message.contains("max_request_bytes"), "\(message)")
        #expect(await oversized.next() == .end, "the connection of an oversized line is closed")
        let growthKiB = try peakResidentKiB(of: pid) - before
        #expect(growthKiB < 32 << 10, "the daemon's peak memory grew by \(growthKiB) KiB over a 64 MiB line")

        #expect(try await daemon.skillctl("status").status == 0, "the daemon still serves")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a batch longer than max_batch_length is refused whole by name; the longest allowed one is answered")
    func batchLengthLimit() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--max-batch-length", "100"])
        func batch(_ count: Int) -> String {
            "[" + (0..<count).map { #"{"jsonrpc":"2.0","method":"host.status","id":\#($0)}"# }.joined(separator: ",") + "]"
        }
        let client = try RawLineClient(path: daemon.socketPath)
        try client.send(batch(101))
        let refusal = try #require(await client.nextJSON(), "no answer to a batch over the limit")
        #expect(refusal.arrayValue == nil, "one error, not an array of answers")
        #expect(refusal["id"] == .null)
        #expect(refusal["error"]?["code"] == -32600)
        let message = refusal["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("101 requests") && message.contains("100") && message.contains("max_batch_length"), "\(message)")

        // The connection stays open, and the longest batch allowed is answered in full.
        try client.send(batch(100))
        let answers = try #require(await client.nextJSON(timeout: .seconds(30))?.arrayValue, "no array of answers")
        #expect(answers.count == 100)
        #expect(Set(answers.compactMap { $0["id"]?.int64Value }) == Set(0..<100))
        #expect(answers.allSatisfy { $0["result"]?["version"] != nil })
        client.close()
        #expect(try await daemon.stop() == .exited(0))
    }
}

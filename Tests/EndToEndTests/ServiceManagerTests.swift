import Foundation
import Glibc
import JSON
import JSONRPC
import TestSupport
import Testing

/// The real daemon under a service manager, played by systemd's own tools where they can
/// (`systemd-socket-activate` passes the socket, `systemd-analyze verify` reads the units)
/// and by the test where they cannot: a datagram socket the test binds is `NOTIFY_SOCKET`,
/// a file whose device and inode the test gives as `JOURNAL_STREAM` is the journal, and a
/// socket the test listens on outlives the daemons it passes it to.
@Suite("skillhostd under a service manager: socket activation, notifications, watchdog, journal, data directory lock")
struct ServiceManagerTests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!
    private static let socketActivate = "/usr/bin/systemd-socket-activate"
    /// The variables of the service manager's protocols, none of which a worker may see.
    private static let protocolVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID",
                                            "LISTEN_FDNAMES"]

    /// `systemd-socket-activate` listening on `paths`, naming them `names`, and giving the
    /// daemon `PATH`, `HOME` and `environment` (it passes on nothing else of its own).
    private func socketActivation(listening paths: [String], names: [String] = [], datagram: Bool = false,
                                  environment: [String: String] = [:]) -> [String] {
        var command = [Self.socketActivate] + (datagram ? ["--datagram"] : [])
        for path in paths { command.append("--listen=\(path)") }
        if !names.isEmpty { command.append("--fdname=" + names.joined(separator: ":")) }
        for name in ["PATH", "HOME"] { command += ["-E", name] }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { command += ["-E", "\(name)=\(value)"] }
        return command
    }

    /// The daemon's log lines that are JSON objects (the launcher's own lines are not).
    private func jsonLines(of daemon: DaemonHarness) -> [JSONValue] {
        daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    /// The first log line whose message is `message`.
    private func line(_ message: String, of daemon: DaemonHarness) -> JSONValue? {
        jsonLines(of: daemon).first { $0["msg"]?.stringValue == message }
    }

    /// The flags of descriptor `descriptor` of process `pid`, from its fdinfo (octal there).
    private func flags(of descriptor: Int32, in pid: pid_t) throws -> Int {
        let text = try ProcFile.text("/proc/\(pid)/fdinfo/\(descriptor)")
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags:") })
        return try #require(Int(line.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8))
    }

    /// What each open descriptor of process `pid` refers to (`socket:[123]`, a path), by number.
    private func descriptors(of pid: pid_t) -> [Int32: String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var links: [Int32: String] = [:]
        for entry in entries {
            guard let number = Int32(entry),
                  let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(entry)")
            else { continue }
            links[number] = target
        }
        return links
    }

    @Test("systemd-socket-activate passes the socket: a client runs a skill through it, the daemon reports READY=1, STATUS=, keep-alives, RELOADING=1 on SIGHUP and STOPPING=1, and leaves the socket it did not create")
    func socketActivationAndNotifications() async throws {
        let directory = try TemporaryDirectory(prefix: "sd")
        #expect(mkdir(directory.path("run"), 0o700) == 0)
        let socketPath = directory.path("run/skillhostd.sock")
        let notify = try NotifySocketListener(path: directory.path("notify.sock"))
        let daemon = try await DaemonHarness(
            inferenceURL: noInference, directory: directory,
            launcher: socketActivation(listening: [socketPath], names: ["rpc"],
                                       environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "2000000"]))
        let pid = daemon.process.pid

        // A real client runs a skill through the passed socket.
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let run = try await daemon.skillctl("run", "hello", #"{"name":"activated"}"#)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("Hello, activated!"), "\(run.standardOutput)")
        #expect(try await daemon.call("host.status")["socket"]?.stringValue == socketPath)
        let serving = try #require(line("skillhostd is serving", of: daemon), "\(daemon.log())")
        #expect(serving["socket"]?.stringValue == socketPath)
        #expect(serving["socket_passed_by_service_manager"] == .bool(true))
        #expect(serving["listen_backlog"] == .null, "the socket unit chose the backlog")

        // STATUS= lines while starting, then READY=1 once it serves.
        let ready = try #require(await notify.first("READY", "1"), "no READY=1: \(notify.messages.map(\.text))")
        #expect(ready.value(of: "STATUS") == "serving 1 model on \(socketPath)")
        let starting = notify.messages.prefix { $0.value(of: "READY") == nil }.compactMap { $0.value(of: "STATUS") }
        #expect(starting.contains { $0.hasPrefix("starting: opening the registry") }, "\(starting)")

        // Its own descriptors are close-on-exec: the passed socket and the data directory's lock.
        let links = descriptors(of: pid)
        let socketLink = try #require(links[3], "descriptor 3 is not open: \(links)")
        #expect(socketLink.hasPrefix("socket:"))
        #expect(try flags(of: 3, in: pid) & Int(O_CLOEXEC) != 0, "the passed socket is not close-on-exec")
        let lockPath = daemon.dataDirectory + "/skillhostd.lock"
        let lock = try #require(links.first { $0.value == lockPath }?.key, "the daemon holds no \(lockPath): \(links)")
        #expect(try flags(of: lock, in: pid) & Int(O_CLOEXEC) != 0, "the lock is not close-on-exec")
        #expect(try String(contentsOfFile: lockPath, encoding: .utf8) == "\(pid)\n\(socketPath)\n")

        // A worker sees none of the service manager's variables, and neither descriptor.
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "reports_pid")).status == 0)
        let reported = try await daemon.skillctl("--json", "run", "reports-pid")
        let output = try reported.json()["output"]
        let reportedPID = try #require(output?["pid"]?.int64Value)
        let pidNamespace = try #require(output?["pid_namespace"]?.stringValue)
        let worker = try #require(WorkerProcesses.hostPID(of: pid, reportedPID: reportedPID, pidNamespace: pidNamespace))
        let workerEnvironment = try ProcFile.contents("/proc/\(worker)/environ").split(separator: 0)
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(workerEnvironment.contains { $0.hasPrefix("PATH=") }, "the environment was read")
        for variable in Self.protocolVariables {
            #expect(!workerEnvironment.contains { $0.hasPrefix(variable + "=") }, "the worker sees \(variable)")
        }
        let workerLinks = descriptors(of: worker).values
        #expect(!workerLinks.contains(socketLink) && !workerLinks.contains(lockPath), "\(workerLinks)")

        // Keep-alives every half of WATCHDOG_USEC (2 s), never as much as 2 s apart.
        try await Task.sleep(for: .seconds(4))
        let keepAlives = notify.messages.filter { $0.value(of: "WATCHDOG") == "1" }.map(\.received)
        let watched = ContinuousClock.now - ready.received
        let expected = Int(watched / .seconds(1))
        #expect(keepAlives.count >= expected - 2 && keepAlives.count <= expected + 2,
                "\(keepAlives.count) keep-alives in the \(watched) since READY=1")
        // From READY=1 to the first (sent at once), then between each and the next.
        let gaps = zip(keepAlives, [ready.received] + keepAlives).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 < .seconds(2) }, "keep-alives more than WATCHDOG_USEC apart: \(gaps)")
        let intervals = gaps.dropFirst()
        if !intervals.isEmpty {
            let mean = intervals.reduce(Duration.zero, +) / intervals.count
            #expect(mean > .milliseconds(700) && mean < .milliseconds(1500), "a keep-alive every \(mean), not every 1 s")
        }

        // SIGHUP (systemctl reload): RELOADING=1 with the monotonic time, then READY=1 again, and
        // the passed socket is still the one host.status names: a reload never takes it for a
        // change of the socket setting.
        let readyBefore = notify.messages.filter { $0.value(of: "READY") == "1" }.count
        daemon.process.signal(SIGHUP)
        let reloading = try #require(await notify.first("RELOADING", "1", within: .seconds(10)), "\(notify.messages.map(\.text))")
        #expect(UInt64(reloading.value(of: "MONOTONIC_USEC") ?? "") != nil, "\(reloading.text)")
        await eventually(within: .seconds(10)) {
            notify.messages.filter { $0.value(of: "READY") == "1" }.count > readyBefore
        }
        let readyAgain = try #require(notify.messages.last { $0.value(of: "READY") == "1" })
        #expect(readyAgain.received > reloading.received, "READY=1 after RELOADING=1: \(notify.messages.map(\.text))")
        #expect(readyAgain.value(of: "STATUS") == "serving 1 model on \(socketPath)")
        let status = try await daemon.call("host.status")
        #expect(status["socket"]?.stringValue == socketPath)
        #expect(status["restart_needed"]?.arrayValue?.isEmpty != false, "\(status["restart_needed"] ?? .null)")

        // SIGTERM: STOPPING=1, a clean exit, and the socket file, which the daemon did not make, stays.
        #expect(try await daemon.stop() == .exited(0))
        let stopping = try #require(await notify.first("STOPPING", "1", within: .seconds(5)), "\(notify.messages.map(\.text))")
        #expect(stopping.value(of: "STATUS")?.hasPrefix("stopping: ") == true)
        #expect(FileManager.default.fileExists(atPath: socketPath), "the daemon unlinked a socket it did not create")
    }

    @Test("of several sockets passed, the daemon serves the one named rpc (LISTEN_FDNAMES) and closes the others")
    func namedDescriptor() async throws {
        let directory = try TemporaryDirectory(prefix: "sdnames")
        #expect(mkdir(directory.path("run"), 0o700) == 0)
        let socketPath = directory.path("run/skillhostd.sock")
        let daemon = try await DaemonHarness(
            inferenceURL: noInference, directory: directory,
            launcher: socketActivation(listening: [directory.path("run/other.sock"), socketPath], names: ["other", "rpc"]))
        #expect(try await daemon.call("host.status")["socket"]?.stringValue == socketPath)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        #expect(try await daemon.skillctl("run", "hello", #"{"name":"named"}"#).standardOutput.contains("Hello, named!"))
        let unused = try #require(line("the service manager passed descriptors the daemon does not serve; they are closed",
                                       of: daemon), "\(daemon.log())")
        #expect(unused["descriptors"] == .array(["3 (other)"]))
        // The daemon held the only descriptor of each (systemd-socket-activate became the
        // daemon): a closed socket is gone from the system's list, the served one is there.
        let served = try #require(try Self.socketInode(boundAt: socketPath), "no socket listed at \(socketPath)")
        #expect(descriptors(of: daemon.process.pid).values.contains("socket:[\(served)]"))
        #expect(try Self.socketInode(boundAt: directory.path("run/other.sock")) == nil, "the other socket is still open")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("LISTEN_FDS meant for another process (LISTEN_PID) is passed over with a warning: the daemon binds its own socket")
    func activationForAnotherProcess() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, environment: ["LISTEN_FDS": "1", "LISTEN_PID": "1"])
        let warning = try #require(line("LISTEN_FDS was set for another process; its descriptors are not taken, and the daemon "
            + "binds its socket", of: daemon), "\(daemon.log())")
        #expect(warning["listen_pid"] == 1)
        #expect(line("skillhostd is serving", of: daemon)?["socket_passed_by_service_manager"] == .bool(false))
        #expect(try await daemon.stop() == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "a socket of its own is unlinked at the end")
    }

    /// The inode of the Unix socket bound at `path`, from `/proc/net/unix` (whose last column is
    /// the path and the one before it the inode); nil when none is.
    private static func socketInode(boundAt path: String) throws -> String? {
        for line in try ProcFile.text("/proc/net/unix").split(separator: "\n") {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            if columns.count >= 8, columns[7] == path { return String(columns[6]) }
        }
        return nil
    }

    @Test("a passed socket the daemon cannot serve is refused by what it is, and so are several without the name rpc")
    func unusableSockets() async throws {
        let directory = try TemporaryDirectory(prefix: "sdbad")
        let datagramPath = directory.path("datagram.sock")
        let datagram = try ChildProcess(
            Self.socketActivate,
            arguments: Array(socketActivation(listening: [datagramPath], datagram: true).dropFirst())
                + [try BuildProducts.skillhostd(), "--data-dir", directory.path("data")],
            standardOutput: .null, standardError: .pipe)
        // systemd-socket-activate starts the daemon when the first datagram arrives.
        #expect(await eventually { FileManager.default.fileExists(atPath: datagramPath) })
        #expect(Self.sendDatagram(to: datagramPath) == 0)
        let refusal = try await datagram.readAll(from: .standardError)
        #expect(try await datagram.wait() == .exited(1))
        #expect(refusal.contains("descriptor 3, passed by the service manager, cannot be served: it is not a stream socket"),
                "\(refusal)")

        let first = directory.path("first.sock")
        let unnamed = try ChildProcess(
            Self.socketActivate,
            arguments: Array(socketActivation(listening: [first, directory.path("second.sock")]).dropFirst())
                + [try BuildProducts.skillhostd(), "--data-dir", directory.path("data")],
            standardOutput: .null, standardError: .pipe)
        // Bound before it listens: the first connect may be refused.
        var client: UnixSocketConnection?
        #expect(await eventually {
            client = try? UnixSocketConnection.connect(to: first)
            return client != nil
        })
        let errors = try await unnamed.readAll(from: .standardError)
        #expect(try await unnamed.wait() == .exited(1))
        #expect(errors.contains("passed 2 descriptors, 3 (unnamed), 4 (unnamed), and 0 of them named rpc"), "\(errors)")
        #expect(errors.contains("FileDescriptorName=rpc"))
        client?.shutdown()
    }

    /// Sends one datagram to the socket at `path`; 0, or the `errno` of `sendto`.
    private static func sendDatagram(to path: String) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(descriptor) }
        let sent = withUnixSocketAddress(path) { sendto(descriptor, "x", 1, 0, $0, $1) }
        return sent == 1 ? 0 : errno
    }

    @Test("the socket outlives the daemon it was passed to: a client that connects between two daemons is answered by the next")
    func socketOutlivesTheDaemon() async throws {
        let directory = try TemporaryDirectory(prefix: "sdkeep")
        #expect(mkdir(directory.path("run"), 0o700) == 0)
        let socketPath = directory.path("run/skillhostd.sock")
        // The test is the service manager: it listens, and passes the socket as descriptor 3 to
        // each daemon, whose pid the shell gives as LISTEN_PID before it becomes the daemon.
        let listening = try Self.listen(at: socketPath)
        defer { close(listening) }
        let launcher = ["/bin/sh", "-c", #"export LISTEN_PID=$$; exec "$0" "$@""#]
        let environment = ["LISTEN_FDS": "1", "LISTEN_FDNAMES": "rpc"]
        let first = try await DaemonHarness(inferenceURL: noInference, environment: environment, directory: directory,
                                            launcher: launcher, descriptors: [3: listening])
        #expect(try await first.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        #expect(try await first.skillctl("run", "hello", #"{"name":"first"}"#).status == 0)
        #expect(try await first.stop() == .exited(0))
        #expect(FileManager.default.fileExists(atPath: socketPath), "the daemon unlinked the socket it was passed")

        // Nobody accepts now, but the socket still listens: the connection waits in its queue.
        let client = try JSONRPCClient(socketPath: socketPath)
        defer { client.close() }
        let waiting = Task { try await client.call("host.status") }
        let second = try await DaemonHarness(inferenceURL: noInference, environment: environment, directory: directory,
                                             launcher: launcher, descriptors: [3: listening])
        let status = try await waiting.value
        #expect(status["pid"]?.int64Value == Int64(second.process.pid), "\(status)")
        #expect(try await second.skillctl("run", "hello", #"{"name":"second"}"#).standardOutput.contains("Hello, second!"))
        #expect(try await second.stop() == .exited(0))
    }

    /// A Unix stream socket of this process, listening at `path`.
    private static func listen(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        try #require(descriptor >= 0)
        let bound = withUnixSocketAddress(path) { bind(descriptor, $0, $1) }
        try #require(bound == 0 && Glibc.listen(descriptor, 128) == 0, "bind or listen at \(path): errno \(errno)")
        return descriptor
    }

    @Test("with JOURNAL_STREAM naming its stderr, every line leads with its syslog priority; naming another file, none does")
    func journalPriorities() async throws {
        let directory = try TemporaryDirectory(prefix: "journal")
        let logPath = directory.path("skillhostd.log")
        #expect(FileManager.default.createFile(atPath: logPath, contents: nil))
        var info = stat()
        #expect(stat(logPath, &info) == 0)
        let daemon = try await DaemonHarness(inferenceURL: noInference,
                                             environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"],
                                             directory: directory)
        #expect(try await daemon.stop() == .exited(0))
        let priorities = ["debug": 7, "info": 6, "warning": 4, "error": 3]
        let lines = daemon.log().split(separator: "\n")
        #expect(lines.count >= 3, "\(lines)")
        for line in lines {
            let close = try #require(line.firstIndex(of: ">"), "no priority: \(line)")
            let priority = try #require(Int(line.dropFirst()[..<close]), "no priority: \(line)")
            #expect(line.first == "<")
            let object = try JSONValue(parsing: String(line[line.index(after: close)...]))
            #expect(priorities[object["level"]?.stringValue ?? ""] == priority, "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix(#"<6>{"#) && $0.contains(#""msg":"skillhostd is serving""#) })

        // Another file's device and inode: stderr is not the journal (a shell redirected it).
        let elsewhere = try TemporaryDirectory(prefix: "nojournal")
        let other = try await DaemonHarness(inferenceURL: noInference,
                                            environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"],
                                            directory: elsewhere)
        #expect(try await other.stop() == .exited(0))
        let plain = other.log().split(separator: "\n")
        #expect(!plain.isEmpty && plain.allSatisfy { $0.hasPrefix("{") }, "\(plain)")
    }

    @Test("--log-format text writes a line for people: time, level, message, then the fields; in the journal led by the priority")
    func textLogFormat() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--log-format", "text"])
        #expect(try await daemon.stop() == .exited(0))
        let lines = daemon.log().split(separator: "\n").map(String.init)
        let serving = try #require(lines.first { $0.contains(" info skillhostd is serving ") }, "\(lines)")
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z info skillhostd is serving /#
        #expect(serving.prefixMatch(of: pattern) != nil, "\(serving)")
        #expect(serving.contains(" pid=\(daemon.process.pid) "), "\(serving)")
        #expect(serving.contains(" socket=\(daemon.socketPath)"), "\(serving)")
        #expect(serving.contains(" dumpable=false "), "\(serving)")
        #expect(lines.allSatisfy { (try? JSONValue(parsing: $0)) == nil }, "no line is JSON")
        #expect(lines.contains { $0.contains(" info skillhostd stopped") })

        let directory = try TemporaryDirectory(prefix: "textjournal")
        let logPath = directory.path("skillhostd.log")
        #expect(FileManager.default.createFile(atPath: logPath, contents: nil))
        var info = stat()
        #expect(stat(logPath, &info) == 0)
        let journaled = try await DaemonHarness(inferenceURL: noInference, arguments: ["--log-format", "text"],
                                                environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"],
                                                directory: directory)
        #expect(try await journaled.stop() == .exited(0))
        #expect(journaled.log().split(separator: "\n").contains { $0.hasPrefix("<6>") && $0.contains(" info skillhostd is serving ") })
    }

    @Test("a second daemon on the same data directory is refused with status 75, naming the first's pid and socket, which goes on serving")
    func secondDaemonOnTheDataDirectory() async throws {
        let first = try await DaemonHarness(inferenceURL: noInference)
        let secondSocket = first.directory.path("run/second.sock")
        let second = try ChildProcess(
            try BuildProducts.skillhostd(), arguments: ["--socket", secondSocket, "--data-dir", first.dataDirectory],
            standardOutput: .null, standardError: .pipe)
        let errors = try await second.readAll(from: .standardError)
        #expect(try await second.wait() == .exited(75))
        #expect(errors.contains("another skillhostd (pid \(first.process.pid), serving \(first.socketPath)) already uses the data "
            + "directory \(first.dataDirectory)"), "\(errors)")
        #expect(errors.contains("--data-dir"), "it says what to do: \(errors)")
        #expect(!FileManager.default.fileExists(atPath: secondSocket), "refused before it bound its socket")
        #expect(try await first.skillctl("status").status == 0, "the first daemon goes on serving")

        // In the journal, the refusal is an error.
        let journal = first.directory.path("journal.log")
        #expect(FileManager.default.createFile(atPath: journal, contents: nil))
        var info = stat()
        #expect(stat(journal, &info) == 0)
        var environment = ProcessInfo.processInfo.environment
        environment["JOURNAL_STREAM"] = "\(info.st_dev):\(info.st_ino)"
        let journaled = try ChildProcess(
            try BuildProducts.skillhostd(), arguments: ["--socket", secondSocket, "--data-dir", first.dataDirectory],
            environment: environment, standardOutput: .null, standardError: .file(journal))
        #expect(try await journaled.wait() == .exited(75))
        #expect(try String(contentsOfFile: journal, encoding: .utf8).hasPrefix("<3>skillhostd: another skillhostd (pid "))
        #expect(try await first.stop() == .exited(0))

        // Its lock is released with its process: the next daemon takes it.
        let next = try await DaemonHarness(inferenceURL: noInference, directory: first.directory)
        #expect(try String(contentsOfFile: next.dataDirectory + "/skillhostd.lock", encoding: .utf8)
            == "\(next.process.pid)\n\(next.socketPath)\n")
        #expect(try await next.stop() == .exited(0))
    }

    @Test("systemd-analyze verify accepts the system and user units with @bindir@ set to the build folder, and refuses a broken one")
    func unitsVerify() async throws {
        let units = BuildProducts.packageRoot.appendingPathComponent("packaging/systemd").path
        let directory = try TemporaryDirectory(prefix: "units")
        let runtime = directory.path("runtime")
        #expect(mkdir(runtime, 0o700) == 0)
        for scope in ["system", "user"] {
            #expect(mkdir(directory.path(scope), 0o755) == 0)
            for name in ["skillhostd.service", "skillhostd.socket"] {
                let text = try String(contentsOfFile: "\(units)/\(scope)/\(name)", encoding: .utf8)
                if name.hasSuffix(".service") {
                    #expect(text.contains("ExecStart=@bindir@/skillhostd "), "\(scope)/\(name) does not start @bindir@/skillhostd")
                }
                try text.replacingOccurrences(of: "@bindir@", with: BuildProducts.directory.path)
                    .write(toFile: directory.path("\(scope)/\(name)"), atomically: true, encoding: .utf8)
            }
            let verified = try await Self.verify(scope: scope, in: directory, runtime: runtime,
                                                 units: ["skillhostd.service", "skillhostd.socket"])
            #expect(verified.status == .exited(0), "\(scope) units: \(verified.output)")
            #expect(verified.output.isEmpty, "\(scope) units: systemd-analyze verify warns: \(verified.output)")

            // The check can fail: a unit with an unknown directive and a missing binary.
            let broken = try String(contentsOfFile: directory.path("\(scope)/skillhostd.service"), encoding: .utf8)
                .replacingOccurrences(of: "Type=notify", with: "Type=notify\nNotAnOption=yes")
                .replacingOccurrences(of: BuildProducts.directory.path, with: directory.path("missing"))
            try broken.write(toFile: directory.path("\(scope)/broken.service"), atomically: true, encoding: .utf8)
            let refused = try await Self.verify(scope: scope, in: directory, runtime: runtime, units: ["broken.service"])
            #expect(refused.status != .exited(0), "\(refused.output)")
            #expect(refused.output.contains("NotAnOption"), "\(refused.output)")
        }
    }

    @Test("systemd-sysusers makes the user skillhost, whose home is the data directory, from the sysusers file")
    func sysusers() async throws {
        let root = try TemporaryDirectory(prefix: "sysusers")
        #expect(mkdir(root.path("etc"), 0o755) == 0)
        let file = BuildProducts.packageRoot.appendingPathComponent("packaging/systemd/system/skillhost.sysusers.conf").path
        let child = try ChildProcess("systemd-sysusers", arguments: ["--root=\(root.path)", file],
                                     standardOutput: .null, standardError: .pipe)
        let errors = try await child.readAll(from: .standardError)
        #expect(try await child.wait() == .exited(0), "\(errors)")
        let passwd = try String(contentsOfFile: root.path("etc/passwd"), encoding: .utf8)
        #expect(passwd.split(separator: "\n").contains { $0.hasPrefix("skillhost:x:") && $0.contains(":/var/lib/skillhost:") },
                "\(passwd)")
        #expect(try String(contentsOfFile: root.path("etc/group"), encoding: .utf8).contains("skillhost:x:"))
    }

    /// `systemd-analyze [--user] verify` of `units` in the folder `scope` of `directory`,
    /// with `runtime` as `XDG_RUNTIME_DIR` (a user manager needs one): how it ended, and what
    /// it printed.
    private static func verify(scope: String, in directory: TemporaryDirectory, runtime: String,
                               units: [String]) async throws -> (status: Termination, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = runtime
        let child = try ChildProcess(
            "/bin/sh", arguments: ["-c", #"cd "$0" && exec systemd-analyze "$@" 2>&1"#, directory.path(scope)]
                + (scope == "user" ? ["--user"] : []) + ["verify"] + units.map { "./" + $0 },
            environment: environment, standardOutput: .pipe)
        let output = try await child.readAll(from: .standardOutput, timeout: .seconds(60))
        return (try await child.wait(timeout: .seconds(60)), output)
    }
}

import Foundation
import Glibc
import SkillABI
import SkillhostModel
@testable import SkillRuntime
import TestSupport
import Testing
@testable import WorkerProtocol

/// A real `skillhostd --worker` started by the test, which plays the daemon's part over
/// the worker's file descriptor 3.
private final class SpawnedWorker {
    let pid: pid_t
    let channel: WorkerChannel
    /// Whether ``receive()`` has passed the worker's `sandboxed` report over.
    private var sawSandboxReport = false
    /// Where the worker's stderr goes.
    let standardErrorPath: String
    private var termination: Termination?

    /// Spawns the worker as WORKER-PROTOCOL.md says: an empty signal mask, fd 3 the worker's
    /// end of a socketpair, stdin /dev/null, stdout and stderr into `directory`.
    init(parentPID: pid_t = getpid(), environment: [String: String] = [:], directory: TemporaryDirectory) throws {
        let executable = try BuildProducts.skillhostd()
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw WorkerProtocolError.systemCall(call: "socketpair", errno: errno)
        }
        // dup2 onto itself would keep close-on-exec: move the child's end off 3 first.
        var childEnd = ends[1]
        if childEnd == 3 {
            childEnd = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
            close(ends[1])
        }
        defer { close(childEnd) }
        // A worker that never answers fails the test instead of hanging it.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(ends[0], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        channel = WorkerChannel(fileDescriptor: ends[0])

        standardErrorPath = directory.path("worker-\(UUID().uuidString).stderr")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childEnd, 3)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))

        let arguments = [executable, "--worker", "--parent-pid", "\(parentPID)", "--memory-limit-bytes", "0"]
        let argv = arguments.map { strdup($0) } + [nil]
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw WorkerProtocolError.systemCall(call: "posix_spawn", errno: result) }
        pid = spawned
    }

    /// The next message from the worker. Its first, `sandboxed`, is checked and passed
    /// over: started without --sandbox, the worker reports every layer off.
    func receive() throws -> WorkerMessage {
        let message = try channel.receive()
        guard !sawSandboxReport else { return message }
        sawSandboxReport = true
        guard case let .sandboxed(report) = message else {
            throw WorkerProtocolError.malformed("the worker's first message is \(message.name), not sandboxed")
        }
        guard report.activeLayers.isEmpty else {
            throw WorkerProtocolError.malformed("a worker started without --sandbox reported \(report.activeLayers)")
        }
        return try channel.receive()
    }

    deinit {
        if termination == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// Loads `path` and returns the worker's answer.
    func load(_ path: String) throws -> WorkerMessage {
        try channel.send(.load(path: path))
        return try receive()
    }

    /// Waits up to 10 s for the worker to end, polling without holding a thread of the pool.
    func waitForExit() async throws -> Termination {
        let deadline = ContinuousClock.now + .seconds(10)
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7F
                let ended: Termination = signal == 0 ? .exited((status >> 8) & 0xFF) : .killed(signal: signal)
                termination = ended
                return ended
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw WorkerProtocolError.malformed("worker \(pid) did not exit within 10 s")
    }

    var standardError: String {
        (try? String(contentsOfFile: standardErrorPath, encoding: .utf8)) ?? ""
    }
}

@Suite("skillhostd --worker, driven over its socket", .serialized)
struct WorkerTests {
    private let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "worker-tests")
    }

    @Test("hello loads, logs, greets twice, and exits 0 on shutdown")
    func hello() async throws {
        let worker = try SpawnedWorker(directory: directory)
        #expect(try worker.load(BuildProducts.plugin(named: "hello"))
            == .loaded(name: "hello", version: "1.0.0", flags: 0, abiMajor: 1, abiMinor: 1))
        for (number, name) in [(UInt64(1), "Ada"), (2, "Grace")] {
            try worker.channel.send(.run(invocation: number, input: Array(#"{"name":"\#(name)"}"#.utf8), model: ""))
            #expect(try worker.receive() == .log(invocation: number, level: 1, message: Array("greeted".utf8)))
            #expect(try worker.receive() == .runDone(
                invocation: number, status: SKILL_OK, output: Array(#"{"greeting":"Hello, \#(name)!"}"#.utf8),
                errorMessage: ""))
        }
        try worker.channel.send(.shutdown)
        #expect(try await worker.waitForExit() == .exited(0))
    }

    @Test("a file that is not a skill is answered with load_failed naming it, then exit 0")
    func loadFailed() async throws {
        let worker = try SpawnedWorker(directory: directory)
        let path = try FixtureSkills.notAnELF()
        guard case let .loadFailed(message) = try worker.load(path) else {
            Issue.record("expected load_failed")
            return
        }
        #expect(message.contains(path))
        #expect(message.contains("not an ELF"))
        #expect(try await worker.waitForExit() == .exited(0))
    }

    @Test("complete_text goes to the daemon with the run's model, and its reply is the output")
    func completion() async throws {
        let worker = try SpawnedWorker(directory: directory)
        guard case .loaded = try await worker.load(FixtureSkills.path(for: "complete_twice")) else {
            Issue.record("expected loaded")
            return
        }
        try worker.channel.send(.run(invocation: 4, input: Array("Once upon".utf8), model: "gemma"))
        #expect(try worker.receive() == .completeCall(
            invocation: 4, call: 1, prompt: Array("Once upon".utf8), parameters: WorkerInferenceParameters(model: "gemma")))
        try worker.channel.send(.completeReply(call: 1, status: SKILL_OK, text: Array("xyz".utf8),
                                               promptTokens: 2, completionTokens: 3))
        #expect(try worker.receive() == .runDone(invocation: 4, status: SKILL_OK, output: Array("xyz".utf8),
                                                         errorMessage: ""))
    }

    @Test("after a failed complete_reply every host call is refused locally, and run_done says ABORTED")
    func failedCompletionTraps() async throws {
        let report = directory.path("complete-twice.report")
        let worker = try SpawnedWorker(environment: ["SKILL_REPORT_FILE": report], directory: directory)
        guard case .loaded = try await worker.load(FixtureSkills.path(for: "complete_twice")) else {
            Issue.record("expected loaded")
            return
        }
        try worker.channel.send(.run(invocation: 8, input: Array("abc".utf8), model: ""))
        guard case let .completeCall(8, 1, _, parameters) = try worker.receive(), parameters.model.isEmpty else {
            Issue.record("expected complete_call 1 of invocation 8 with the default model")
            return
        }
        try worker.channel.send(.completeReply(call: 1, status: SKILL_ERR_ABORTED, text: [], promptTokens: 0,
                                               completionTokens: 0))
        // No second complete_call, no log, no output_chunk: the very next message is run_done.
        guard case let .runDone(8, status, output, errorMessage) = try worker.receive() else {
            Issue.record("expected run_done of invocation 8")
            return
        }
        #expect(status == SKILL_ERR_ABORTED)
        #expect(output.isEmpty)
        #expect(errorMessage.contains("status \(SKILL_ERR_ABORTED)"))
        let seen = try String(contentsOfFile: report, encoding: .utf8)
        #expect(seen == "second=\(SKILL_ERR_ABORTED) alloc=null write=\(SKILL_ERR_ABORTED)\n")
    }

    @Test("write_output chunks arrive before run_done, in order")
    func streams() async throws {
        let worker = try SpawnedWorker(directory: directory)
        guard case .loaded = try await worker.load(FixtureSkills.path(for: "streams")) else {
            Issue.record("expected loaded")
            return
        }
        try worker.channel.send(.run(invocation: 3, input: [], model: ""))
        #expect(try worker.receive() == .outputChunk(invocation: 3, chunk: Array("[1,".utf8)))
        #expect(try worker.receive() == .outputChunk(invocation: 3, chunk: Array("2,".utf8)))
        #expect(try worker.receive() == .runDone(invocation: 3, status: SKILL_OK, output: Array("3]".utf8),
                                                         errorMessage: ""))
    }

    @Test("a skill error travels with the message set by set_error")
    func skillError() async throws {
        let worker = try SpawnedWorker(directory: directory)
        guard case .loaded = try await worker.load(FixtureSkills.path(for: "failing")) else {
            Issue.record("expected loaded")
            return
        }
        try worker.channel.send(.run(invocation: 1, input: [], model: ""))
        #expect(try worker.receive() == .runDone(invocation: 1, status: SKILL_ERR_FAILED, output: [],
                                                         errorMessage: "the skill failed on purpose"))
    }

    @Test("closing the daemon's end makes a loaded worker exit 0")
    func endOfStream() async throws {
        let worker = try SpawnedWorker(directory: directory)
        guard case .loaded = try worker.load(BuildProducts.plugin(named: "hello")) else {
            Issue.record("expected loaded")
            return
        }
        worker.channel.shutdown()
        #expect(try await worker.waitForExit() == .exited(0))
    }

    @Test("a message the daemon may not send ends the worker with status 71")
    func protocolViolation() async throws {
        let worker = try SpawnedWorker(directory: directory)
        try worker.channel.send(.runDone(invocation: 1, status: 0, output: [], errorMessage: ""))
        #expect(try await worker.waitForExit() == .exited(71))
        #expect(worker.standardError.contains("expected load or inspect, received run_done"))
    }

    @Test("inspect describes a skill without running its init, then the worker exits 0")
    func inspect() async throws {
        let worker = try SpawnedWorker(directory: directory)
        try worker.channel.send(.inspect(path: try await FixtureSkills.path(for: "init_deadlock")))
        guard case let .inspected(manifest) = try worker.receive() else {
            Issue.record("expected inspected")
            return
        }
        #expect(manifest.name == "init-deadlock" && manifest.version == "1.0.0")
        #expect(manifest.abiMajor == 1 && manifest.inputSchema == nil)
        #expect(try await worker.waitForExit() == .exited(0))
    }

    @Test("inspecting a file whose ELF constructor segfaults kills only the worker, with SIGSEGV")
    func inspectConstructorCrash() async throws {
        // Without the Swift runtime's backtracer, which would catch the signal first.
        let worker = try SpawnedWorker(environment: ["SWIFT_BACKTRACE": "enable=no"], directory: directory)
        try worker.channel.send(.inspect(path: try await FixtureSkills.path(for: "constructor_crash")))
        #expect(try await worker.waitForExit() == .killed(signal: SIGSEGV))
    }

    @Test("inspected round-trips every field, an empty schema reading as none")
    func inspectedFrame() async throws {
        let manifest = SkillManifest(name: "a", version: "1.2.3", description: "d", inputSchema: #"{"type":"object"}"#,
                                     outputSchema: nil, flags: 1, abiMajor: 1, abiMinor: 0)
        let frame = WorkerMessage.inspected(manifest).encodedFrame()
        #expect(try WorkerMessage.decode(Array(frame.dropFirst(4))) == .inspected(manifest))
        #expect(try WorkerMessage.decode(Array(WorkerMessage.inspect(path: "/x").encodedFrame().dropFirst(4))) == .inspect(path: "/x"))
    }

    @Test("a worker whose --parent-pid is not its parent exits 70")
    func wrongParent() async throws {
        // A daemon that another test starts meanwhile kills every worker whose parent is not
        // the one it names, as a leftover of a dead daemon: then this worker is SIGKILLed
        // before it can check for itself, and the test tries again with a fresh one.
        for _ in 0..<5 {
            let worker = try SpawnedWorker(parentPID: getppid(), directory: directory)
            let termination = try await worker.waitForExit()
            if termination == .killed(signal: SIGKILL) && worker.standardError.isEmpty { continue }
            #expect(termination == .exited(70))
            #expect(worker.standardError.contains("pid \(getppid())"))
            return
        }
        Issue.record("five workers in a row were killed as leftovers before they could exit 70")
    }
}

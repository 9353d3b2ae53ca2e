import CSystemShims
import Dispatch
import Foundation
import Glibc
import SkillhostModel
import Synchronization
import SystemCalls
import WorkerProtocol

/// One worker process (docs/WORKER-PROTOCOL.md): `skillhostd --worker` started in its
/// sandbox (docs/SECURITY.md), its socket, and the two threads that serve it.
///
/// - The *reader* thread receives the worker's messages and hands them to the event
///   handler; when the connection ends it reaps the process (giving it a second to exit on
///   its own before SIGKILL) and reports ``WorkerEvent/ended(_:)`` once.
/// - The *drain* thread reads the worker's stdout and stderr pipes into bounded
///   ``OutputTail``s, so a chatty skill never blocks on a full pipe and never grows the
///   daemon's memory.
///
/// The process is watched through a pidfd, not only through its socket: a skill that forks
/// leaves the socket and the pipes open in its child, yet its own crash is noticed at once.
/// When the process has exited, its whole process group is killed, then it is reaped.
///
/// The process is reaped only by the reader thread, and ``kill()`` signals only a process
/// that is not reaped yet (the check and the reaping share a lock, and the reader waits on
/// the pidfd first): a reused pid is never signalled, and no zombie is left.
final class WorkerProcess: Sendable {
    /// The bytes kept of each standard stream.
    static let streamCapacity = 64 << 10
    /// How long a worker whose connection ended may take to exit before it is killed.
    static let exitGraceMilliseconds: Int32 = 1000
    /// The stack of the reader and drain threads; they only copy bytes.
    static let threadStackSize = 256 << 10
    /// How long the drain thread keeps reading the pipes once the process has exited: a
    /// process outside the group may hold their write ends open for ever.
    static let drainGraceAfterExit: Int32 = 200
    /// The bytes read from a pipe at a time.
    static let readChunkBytes = 16 << 10

    private struct State {
        var handler: @Sendable (WorkerEvent) -> Void
        var exit: WorkerExit?
        var killedByDaemon = false
        var reaped = false
        /// The worker's `sandboxed` report, its first message.
        var sandbox: SandboxReport?
        /// Tasks waiting for it.
        var sandboxWaiters: [CheckedContinuation<SandboxReport?, Never>] = []
    }

    private struct Streams {
        /// The read ends of stdout and stderr; -1 once closed.
        var descriptors: [Int32]
    }

    /// The worker's pid, which is also its process group id.
    let pid: pid_t
    /// A pidfd of the process: readable once it has exited. Closed with this object.
    private let exitDescriptor: Int32
    /// The read end of the status pipe of `skillhost-worker-init`, which writes the
    /// worker's wait status there before it exits; -1 when the worker is the process itself.
    private let statusDescriptor: Int32
    /// Sends messages that must not block a thread of the Swift pool, in order.
    private let outbox: DispatchQueue
    /// The `RLIMIT_AS` it was started with, in bytes; 0: none.
    let memoryLimitBytes: Int
    /// The kernel's count of OOM kills when the worker was started, so that its crash
    /// message can say whether the OOM killer acted while it lived.
    private let oomKillsAtStart = SystemOOMKills.count()
    private let channel: WorkerChannel
    private let standardOutput = OutputTail(capacity: WorkerProcess.streamCapacity)
    private let standardError = OutputTail(capacity: WorkerProcess.streamCapacity)
    private let state: Mutex<State>
    private let streams: Mutex<Streams>
    private let streamsDrained = DispatchSemaphore(value: 0)

    private init(pid: pid_t, exitDescriptor: Int32, statusDescriptor: Int32, channel: WorkerChannel,
                 streamDescriptors: [Int32], memoryLimitBytes: Int, handler: @escaping @Sendable (WorkerEvent) -> Void)
    {
        self.pid = pid
        self.exitDescriptor = exitDescriptor
        self.statusDescriptor = statusDescriptor
        outbox = DispatchQueue(label: "skillhost.worker.outbox")
        self.channel = channel
        self.memoryLimitBytes = memoryLimitBytes
        state = Mutex(State(handler: handler))
        streams = Mutex(Streams(descriptors: streamDescriptors))
    }

    deinit {
        close(exitDescriptor)
        if statusDescriptor >= 0 { close(statusDescriptor) }
    }

    /// Starts `executable --worker --parent-pid <this pid> --memory-limit-bytes <n>` and the
    /// sandbox's options, as `launch` says, and its two threads. `handler` receives every
    /// event until ``setEventHandler(_:)`` replaces it.
    static func spawn(_ launch: WorkerLaunch,
                      handler: @escaping @Sendable (WorkerEvent) -> Void) throws(WorkerSpawnError) -> WorkerProcess
    {
        let executable = launch.executable
        func failure(_ call: String, _ code: Int32 = errno) -> WorkerSpawnError {
            WorkerSpawnError(call: call, code: code, executable: executable)
        }
        // The worker may not be able to open the file itself: in its view the daemon's path
        // does not exist, and as another uid it may not read the daemon's private files.
        var skillFile: Int32 = -1
        if launch.sandbox?.skillDescriptor == true, let path = launch.skillPath {
            skillFile = open(path, O_RDONLY | O_CLOEXEC)
            guard skillFile >= 0 else { throw failure("open(\(path))") }
        }
        defer { if skillFile >= 0 { close(skillFile) } }
        var socketPair: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard cshim_socketpair_cloexec(&socketPair) == 0 else { throw failure("socketpair") }
        guard cshim_pipe_cloexec(&outputPipe) == 0 else {
            let code = errno
            socketPair.forEach { _ = close($0) }
            throw failure("pipe2", code)
        }
        guard cshim_pipe_cloexec(&errorPipe) == 0 else {
            let code = errno
            (socketPair + outputPipe).forEach { _ = close($0) }
            throw failure("pipe2", code)
        }
        // pid 1 of the worker's PID namespace tells the worker's wait status through it.
        var statusPipe: [Int32] = [-1, -1]
        guard cshim_pipe_cloexec(&statusPipe) == 0 else {
            let code = errno
            (socketPair + outputPipe + errorPipe).forEach { _ = close($0) }
            throw failure("pipe2", code)
        }
        let childEnds = [socketPair[1], outputPipe[1], errorPipe[1], statusPipe[1]]
        defer { childEnds.forEach { _ = close($0) } }

        var pid: pid_t = 0
        let (call, code, viaInit) = start(launch, pid: &pid,
                                          descriptors: [outputPipe[1], errorPipe[1], socketPair[1], skillFile, statusPipe[1]])
        guard code == 0 else {
            [socketPair[0], outputPipe[0], errorPipe[0], statusPipe[0]].forEach { _ = close($0) }
            throw failure(call, code)
        }
        if !viaInit {
            close(statusPipe[0])
            statusPipe[0] = -1
        }
        let exitDescriptor = cshim_pidfd_open(pid)
        guard exitDescriptor >= 0 else {
            let code = errno
            _ = Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = try? retryingOnInterrupt("waitpid") { waitpid(pid, &status, 0) }
            [socketPair[0], outputPipe[0], errorPipe[0], statusPipe[0]].forEach { _ = close($0) }
            throw failure("pidfd_open", code)
        }
        for descriptor in [outputPipe[0], errorPipe[0], statusPipe[0]] where descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        let worker = WorkerProcess(
            pid: pid, exitDescriptor: exitDescriptor, statusDescriptor: statusPipe[0],
            channel: WorkerChannel(fileDescriptor: socketPair[0]),
            streamDescriptors: [outputPipe[0], errorPipe[0]], memoryLimitBytes: launch.memoryLimitBytes, handler: handler)
        worker.startThreads()
        return worker
    }

    /// Starts the process as docs/WORKER-PROTOCOL.md and docs/SECURITY.md say: in the
    /// namespaces of the sandbox (or none, when the kernel refuses them), empty signal
    /// mask, every signal at its default disposition, a process group of its own, stdin
    /// /dev/null, `descriptors` as 1, 2, 3, 4 (the skill file) and 5 (the status pipe of
    /// `skillhost-worker-init`), every other descriptor closed (the daemon may have
    /// inherited some without close-on-exec). With a PID namespace, the process is
    /// `skillhost-worker-init`, which starts the worker as pid 2 (`viaInit`). Returns 0, or
    /// the call that failed and its error number.
    private static func start(_ launch: WorkerLaunch, pid: inout pid_t,
                              descriptors: [Int32]) -> (call: String, code: Int32, viaInit: Bool)
    {
        var sandbox = launch.sandbox
        var wanted = sandbox.map { NamespaceSupport.shared.namespaces(wanted: $0.wantedNamespaces) } ?? []
        let initExecutable = launch.initExecutable
        if initExecutable == nil { wanted.remove(.pid) }
        sandbox?.namespaces = wanted
        var (call, code) = clone(launch, sandbox: sandbox, initExecutable: initExecutable, pid: &pid, descriptors: descriptors)
        if code != 0, call == "clone", !wanted.isEmpty, NamespaceSupport.shared.recordRefusal(code) {
            sandbox?.namespaces = []
            (call, code) = clone(launch, sandbox: sandbox, initExecutable: initExecutable, pid: &pid, descriptors: descriptors)
        }
        return (call, code, sandbox?.namespaces.contains(.pid) == true)
    }

    private static func clone(_ launch: WorkerLaunch, sandbox: WorkerSandboxOptions?, initExecutable: String?,
                              pid: inout pid_t, descriptors: [Int32]) -> (call: String, code: Int32)
    {
        let viaInit = sandbox?.namespaces.contains(.pid) == true
        let identity = launch.identity
        // A daemon that is not root may write the maps of a dumpable process only: the init,
        // which holds none of the daemon's memory, waits for them after its execve.
        let mapAfterExecve = viaInit && sandbox?.namespaces.contains(.user) == true && !identity.daemonIsPrivileged
        let worker = [launch.executable, "--worker", "--parent-pid", "\(getpid())",
                      "--memory-limit-bytes", "\(launch.memoryLimitBytes)"] + (sandbox?.arguments ?? [])
        let startSignal = mapAfterExecve ? ["--start-fd", String(descriptors.count + 1)] : []
        let arguments = viaInit ? [initExecutable ?? ""] + startSignal + [String(descriptors.count)] + worker : worker
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        // Only the variables of ``inheritedEnvironment`` reach skill code: the daemon's
        // environment may hold secrets (API keys it was never told about). The Swift
        // runtime's crash backtracer is off: a crash in skill code would otherwise fill the
        // worker's stderr (the run's crash message) with a backtrace of the host.
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = environ
        while let variable = entry.pointee {
            let name = String(cString: variable).prefix { $0 != "=" }
            if Self.isInherited(name) { environment.append(strdup(variable)) }
            entry += 1
        }
        environment.append(strdup("SWIFT_BACKTRACE=enable=no"))
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        let namespaces = sandbox.map { NamespaceSupport.cloneFlags($0.namespaces) } ?? 0
        var failedCall: UnsafePointer<CChar>?
        let code = arguments[0].withCString { path in
            argv.withUnsafeBufferPointer { argv in
                environment.withUnsafeBufferPointer { environment in
                    descriptors.withUnsafeBufferPointer { descriptors in
                        var start = cshim_sandbox_start(
                            path: path, argv: argv.baseAddress, envp: environment.baseAddress,
                            descriptors: descriptors.baseAddress, descriptor_count: Int32(viaInit ? descriptors.count : descriptors.count - 1),
                            namespaces: namespaces, outer_uid: identity.uid, outer_gid: identity.gid,
                            clear_groups: identity.daemonIsPrivileged ? 1 : 0, map_after_execve: mapAfterExecve ? 1 : 0)
                        return cshim_sandbox_spawn(&start, &pid, &failedCall)
                    }
                }
            }
        }
        return (failedCall.map { String(cString: $0) } ?? "clone", code)
    }

    private func startThreads() {
        let reader = Thread { [self] in readMessages() }
        reader.name = "worker \(pid) reader"
        reader.stackSize = Self.threadStackSize
        reader.start()
        let drain = Thread { [self] in drainStreams() }
        drain.name = "worker \(pid) streams"
        drain.stackSize = Self.threadStackSize
        drain.start()
    }

    // MARK: Using the worker

    /// Sends `message`; false when the worker is gone (its ``WorkerEvent/ended(_:)`` follows).
    @discardableResult
    func send(_ message: WorkerMessage) -> Bool {
        do {
            try channel.send(message)
            return true
        } catch {
            return false
        }
    }

    /// Routes the worker's events to `handler` from now on. When the worker has ended
    /// already, `handler` receives ``WorkerEvent/ended(_:)`` at once, on this thread.
    func setEventHandler(_ handler: @escaping @Sendable (WorkerEvent) -> Void) {
        let ended = state.withLock { state in
            state.handler = handler
            return state.exit
        }
        if let ended { handler(.ended(ended)) }
    }

    /// Sends `message` from the worker's own serial queue, never blocking the caller, if
    /// `stillWanted` says so there, right before the send. Messages sent this way keep
    /// their order.
    func sendInBackground(_ message: WorkerMessage, if stillWanted: @escaping @Sendable () -> Bool) {
        outbox.async { [self] in
            if stillWanted() { send(message) }
        }
    }

    /// The sandbox the worker reported having, once it has; nil when it ended first.
    func sandboxReport() async -> SandboxReport? {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> SandboxReport?? in
                if let report = state.sandbox { return .some(report) }
                if state.exit != nil { return .some(nil) }
                state.sandboxWaiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    /// How the worker ended, in the words of a crash message; nil while it runs.
    var endReason: String? { state.withLock { $0.exit?.crashReason } }

    /// Whether the worker has ended (its process reaped).
    var hasEnded: Bool { state.withLock { $0.exit != nil } }

    /// Whether the process has exited, reaped or not: its pidfd is readable.
    var hasExited: Bool {
        var watched = pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&watched, 1, 0) != 0
    }

    /// Kills the worker's process group with SIGKILL, at once, and wakes the reader, which
    /// reaps it. Safe to call more than once, from any thread.
    func kill() {
        state.withLock { state in
            state.killedByDaemon = true
            guard !state.reaped else { return }
            _ = Glibc.kill(-pid, SIGKILL)
        }
        channel.shutdown()
    }

    /// Asks the worker to finish (`shutdown`: it calls the skill's `deinit` and exits 0);
    /// kills it when it has not ended after `grace`.
    func shutDown(grace: DispatchTimeInterval = .seconds(2)) {
        guard send(.shutdown) else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [weak self] in
            if let self, !hasEnded { kill() }
        }
    }

    /// What the worker wrote to stdout and stderr since the last call, as `stdout` and
    /// `stderr` lines of at most `maximumLineBytes` bytes, at most `maximumLines` per stream
    /// (the last ones), with a warning line saying what was left out.
    func takeCapturedOutput(maximumLineBytes: Int, maximumLines: Int) -> [RunLogLine] {
        drainAvailable(closingAtEnd: false)
        var lines: [RunLogLine] = []
        for (level, tail) in [(RunLogLine.Level.stdout, standardOutput), (.stderr, standardError)] {
            let (bytes, dropped) = tail.take()
            guard !bytes.isEmpty else { continue }
            var texts = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
                .map { String(decoding: $0.prefix(maximumLineBytes), as: UTF8.self) }
            let skippedLines = max(0, texts.count - maximumLines)
            texts.removeFirst(skippedLines)
            if dropped > 0 || skippedLines > 0 {
                lines.append(RunLogLine(level: .warning, message:
                    "\(level.rawValue): the worker wrote more than is kept; \(dropped) bytes and \(skippedLines) lines before these were dropped"))
            }
            lines += texts.map { RunLogLine(level: level, message: $0) }
        }
        return lines
    }

    // MARK: The reader thread

    private func readMessages() {
        var protocolError: WorkerProtocolError?
        while true {
            do {
                let message = try channel.receive(exitDescriptor: exitDescriptor)
                if case let .sandboxed(report) = message {
                    let waiters = state.withLock { state in
                        state.sandbox = report
                        defer { state.sandboxWaiters = [] }
                        return state.sandboxWaiters
                    }
                    waiters.forEach { $0.resume(returning: report) }
                } else {
                    deliver(.message(message))
                }
            } catch {
                protocolError = error
                break
            }
        }
        if protocolError != .connectionClosed {
            // A frame that breaks the protocol: the worker cannot be trusted to go on.
            kill()
        }
        let termination = reap()
        // A child the skill forked may still hold the worker's end: no more frames count.
        channel.shutdown()
        // The pipes reach end of stream once the process group is gone; wait a little for
        // the last bytes so that the crash message can quote them.
        _ = streamsDrained.wait(timeout: .now() + .milliseconds(250))
        let errorLines = standardError.peekText(last: 1024).split(separator: "\n", omittingEmptySubsequences: true)
        let marker = CSHIM_MEMORY_EXHAUSTED_MARKER
        let exit = state.withLock { state in
            WorkerExit(termination: termination, protocolError: protocolError, killedByDaemon: state.killedByDaemon,
                       memoryLimitBytes: memoryLimitBytes, memoryExhausted: errorLines.contains { $0.hasPrefix(marker) },
                       systemOOMKills: SystemOOMKills.since(oomKillsAtStart),
                       standardErrorTail: errorLines.filter { !$0.hasPrefix(marker) }.suffix(5).joined(separator: " | "))
        }
        let (handler, waiters) = state.withLock { state in
            state.exit = exit
            defer { state.sandboxWaiters = [] }
            return (state.handler, state.sandboxWaiters)
        }
        waiters.forEach { $0.resume(returning: nil) }
        handler(.ended(exit))
    }

    private func deliver(_ event: WorkerEvent) {
        let handler = state.withLock { $0.handler }
        handler(event)
    }

    /// Waits for the process to exit (killing it after ``exitGraceMilliseconds``), kills what is left
    /// of its process group (children the skill started), then reaps it under the lock that
    /// ``kill()`` takes.
    private func reap() -> WorkerTermination {
        var watched = pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)
        let ready = (try? retryingOnInterrupt("poll") { poll(&watched, 1, Self.exitGraceMilliseconds) }) ?? 0
        if ready == 0 { kill() }
        return state.withLock { state in
            // The exited leader, a zombie until reaped, keeps the group id from being reused.
            _ = Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            defer { state.reaped = true }
            do throws(SystemCallError) {
                try retryingOnInterrupt("waitpid") { waitpid(pid, &status, 0) }
                return WorkerTermination(waitStatus: workerStatus() ?? status)
            } catch {
                return .unknown(errno: error.errno.rawValue)
            }
        }
    }

    /// The worker's wait status as `skillhost-worker-init` reported it; nil when there is
    /// no init, or it was killed before the worker ended (by the daemon, with the group).
    private func workerStatus() -> Int32? {
        guard statusDescriptor >= 0 else { return nil }
        var status: Int32 = 0
        let count = withUnsafeMutableBytes(of: &status) { read(statusDescriptor, $0.baseAddress, $0.count) }
        return count == MemoryLayout<Int32>.size ? status : nil
    }

    // MARK: The drain thread

    private func drainStreams() {
        // Once the process has exited, the pipes get a short grace: a process that left the
        // group (setsid) may hold their write ends for ever.
        var exitedAt: ContinuousClock.Instant?
        let clock = ContinuousClock()
        while true {
            let open = streams.withLock { $0.descriptors }
            guard open.contains(where: { $0 >= 0 }) else { break }
            let graceEnds = exitedAt.map { $0 + .milliseconds(Self.drainGraceAfterExit) }
            if let graceEnds, graceEnds <= clock.now {
                closeStreams()
                break
            }
            var pollSet = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if exitedAt == nil { pollSet.append(pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)) }
            do throws(SystemCallError) {
                // The timeout is worked out again on each try, so that signals cannot stretch the grace.
                try retryingOnInterrupt("poll") {
                    poll(&pollSet, nfds_t(pollSet.count), graceEnds.map { ($0 - clock.now).millisecondsRoundedUp } ?? -1)
                }
            } catch {
                break
            }
            if exitedAt == nil, pollSet.count > open.count, pollSet[open.count].revents != 0 { exitedAt = clock.now }
            drainAvailable(closingAtEnd: true)
        }
        streamsDrained.signal()
    }

    /// Reads what is left and closes both pipes.
    private func closeStreams() {
        drainAvailable(closingAtEnd: true)
        streams.withLock { streams in
            for index in streams.descriptors.indices where streams.descriptors[index] >= 0 {
                close(streams.descriptors[index])
                streams.descriptors[index] = -1
            }
        }
    }

    /// Reads whatever the pipes hold now, without blocking. Only the drain thread closes a
    /// pipe at its end (`closingAtEnd`), so it never polls a descriptor number reused since.
    private func drainAvailable(closingAtEnd: Bool) {
        streams.withLock { streams in
            withUnsafeTemporaryAllocation(byteCount: Self.readChunkBytes, alignment: 1) { buffer in
                for (index, tail) in [standardOutput, standardError].enumerated() {
                    let descriptor = streams.descriptors[index]
                    guard descriptor >= 0 else { continue }
                    if !drain(descriptor, into: tail, using: buffer, closingAtEnd: closingAtEnd) {
                        close(descriptor)
                        streams.descriptors[index] = -1
                    }
                }
            }
        }
    }

    /// Reads `descriptor` into `tail` until it would block; false when it ended (or failed)
    /// and `closingAtEnd` asks for it to be closed.
    private func drain(_ descriptor: Int32, into tail: OutputTail, using buffer: UnsafeMutableRawBufferPointer,
                       closingAtEnd: Bool) -> Bool
    {
        while true {
            do throws(SystemCallError) {
                let count = try retryingOnInterrupt("read") { read(descriptor, buffer.baseAddress, buffer.count) }
                guard count > 0 else { return !closingAtEnd }
                tail.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } catch {
                return !(closingAtEnd && error.errno != .wouldBlock)
            }
        }
    }
}

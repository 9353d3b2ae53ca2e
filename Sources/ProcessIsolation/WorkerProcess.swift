import CSystemShims
import Dispatch
import Foundation
import Glibc
import SkillhostModel
import Synchronization
import SystemCalls
import WorkerProtocol

/// One worker process (docs/WORKER-PROTOCOL.md): `skillhostd --worker` started with
/// `posix_spawn`, its socket, and the two threads that serve it.
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
    }

    private struct Streams {
        /// The read ends of stdout and stderr; -1 once closed.
        var descriptors: [Int32]
    }

    /// The worker's pid, which is also its process group id.
    let pid: pid_t
    /// A pidfd of the process: readable once it has exited. Closed with this object.
    private let exitDescriptor: Int32
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

    private init(pid: pid_t, exitDescriptor: Int32, channel: WorkerChannel, streamDescriptors: [Int32],
                 memoryLimitBytes: Int, handler: @escaping @Sendable (WorkerEvent) -> Void)
    {
        self.pid = pid
        self.exitDescriptor = exitDescriptor
        outbox = DispatchQueue(label: "skillhost.worker.outbox")
        self.channel = channel
        self.memoryLimitBytes = memoryLimitBytes
        state = Mutex(State(handler: handler))
        streams = Mutex(Streams(descriptors: streamDescriptors))
    }

    deinit {
        close(exitDescriptor)
    }

    /// Starts `executable --worker --parent-pid <this pid> --memory-limit-bytes <n>` and its
    /// two threads. `handler` receives every event until ``setEventHandler(_:)`` replaces it.
    static func spawn(executable: String, memoryLimitBytes: Int,
                      handler: @escaping @Sendable (WorkerEvent) -> Void) throws(WorkerSpawnError) -> WorkerProcess
    {
        func failure(_ call: String, _ code: Int32 = errno) -> WorkerSpawnError {
            WorkerSpawnError(call: call, code: code, executable: executable)
        }
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
        let childEnds = [socketPair[1], outputPipe[1], errorPipe[1]]
        defer { childEnds.forEach { _ = close($0) } }

        var pid: pid_t = 0
        let (call, code) = spawnWorker(executable: executable, memoryLimitBytes: memoryLimitBytes, pid: &pid,
                               channel: socketPair[1], standardOutput: outputPipe[1], standardError: errorPipe[1])
        guard code == 0 else {
            [socketPair[0], outputPipe[0], errorPipe[0]].forEach { _ = close($0) }
            throw failure(call, code)
        }
        let exitDescriptor = cshim_pidfd_open(pid)
        guard exitDescriptor >= 0 else {
            let code = errno
            _ = Glibc.kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = try? retryingOnInterrupt("waitpid") { waitpid(pid, &status, 0) }
            [socketPair[0], outputPipe[0], errorPipe[0]].forEach { _ = close($0) }
            throw failure("pidfd_open", code)
        }
        for descriptor in [outputPipe[0], errorPipe[0]] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        let worker = WorkerProcess(
            pid: pid, exitDescriptor: exitDescriptor, channel: WorkerChannel(fileDescriptor: socketPair[0]),
            streamDescriptors: [outputPipe[0], errorPipe[0]], memoryLimitBytes: memoryLimitBytes, handler: handler)
        worker.startThreads()
        return worker
    }

    /// `posix_spawn` as docs/WORKER-PROTOCOL.md says: empty signal mask, every signal at its
    /// default disposition, a process group of its own, fds 0-3 set up and every other
    /// descriptor closed (the daemon may have inherited some without close-on-exec).
    /// Returns 0, or the call that failed and its error number.
    private static func spawnWorker(executable: String, memoryLimitBytes: Int, pid: inout pid_t,
                                    channel: Int32, standardOutput: Int32, standardError: Int32) -> (call: String, code: Int32)
    {
        var attributes = posix_spawnattr_t()
        var code = posix_spawnattr_init(&attributes)
        guard code == 0 else { return ("posix_spawnattr_init", code) }
        defer { posix_spawnattr_destroy(&attributes) }
        // Threads of Dispatch and of the Swift pool block signals; without an explicit empty
        // mask the worker would inherit that mask from the spawning thread. Dispositions the daemon
        // inherited as SIG_IGN (SIGHUP under nohup, say) must not reach skills either.
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)
        for (call, result) in [("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(&attributes, &emptyMask)),
                               ("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(&attributes, &allSignals)),
                               ("posix_spawnattr_setpgroup", posix_spawnattr_setpgroup(&attributes, 0)),
                               ("posix_spawnattr_setflags", posix_spawnattr_setflags(&attributes, flags))]
            where result != 0
        {
            return (call, result)
        }

        var actions = posix_spawn_file_actions_t()
        code = posix_spawn_file_actions_init(&actions)
        guard code == 0 else { return ("posix_spawn_file_actions_init", code) }
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Targets 1 and 2 first: the daemon's own 0-2 are open, so the pipes are above 2,
        // and duplicating onto 3 last cannot clobber a descriptor still to be duplicated.
        // (glibc clears close-on-exec when a descriptor is duplicated onto itself.)
        for (call, result) in [("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)),
                               ("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, standardError, 2)),
                               ("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(&actions, channel, 3)),
                               ("posix_spawn_file_actions_addopen", posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)),
                               ("posix_spawn_file_actions_addclosefrom_np", cshim_spawn_file_actions_addclosefrom(&actions, 4))]
            where result != 0
        {
            return (call, result)
        }

        let arguments = [executable, "--worker", "--parent-pid", "\(getpid())", "--memory-limit-bytes", "\(memoryLimitBytes)"]
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
        return ("posix_spawn", posix_spawn(&pid, executable, &actions, &attributes, argv, environment))
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
                deliver(.message(message))
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
        let handler = state.withLock { state in
            state.exit = exit
            return state.handler
        }
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
                return WorkerTermination(waitStatus: status)
            } catch {
                return .unknown(errno: error.errno.rawValue)
            }
        }
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

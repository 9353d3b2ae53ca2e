import CSystemShims
import Dispatch
import Foundation
import Glibc
import Registry
import Synchronization

/// What a worker's reader thread reports: each message it receives, then, once, how the
/// worker ended.
enum WorkerEvent: Sendable {
    /// A message from the worker.
    case message(WorkerMessage)
    /// The connection ended and the process was reaped; nothing follows.
    case ended(WorkerExit)
}

/// How a worker ended: its termination, why the connection ended, and what it wrote last.
struct WorkerExit: Sendable {
    /// What `waitpid` said.
    var termination: WorkerTermination
    /// What ended the connection, when it was not a clean end of stream.
    var protocolError: WorkerProtocolError?
    /// Whether the daemon killed it (a trap, a deadline, a protocol violation, shutdown).
    var killedByDaemon: Bool
    /// The worker's `RLIMIT_AS` in bytes; 0: none.
    var memoryLimitBytes: Int
    /// The last lines of its stderr.
    var standardErrorTail: String

    /// The message of a run that this exit ended: "the skill's process was killed by
    /// SIGSEGV (memory limit 256 MiB; RLIMIT_AS); its stderr ended with: ...".
    var crashReason: String {
        var reason: String
        if let protocolError, protocolError != .connectionClosed {
            reason = "protocol violation: \(protocolError); the skill's process was killed"
        } else {
            switch termination {
            case .exited: reason = "the skill's process \(termination) before the run ended"
            case .signaled: reason = "the skill's process was \(termination)"
            }
            // An allocation beyond RLIMIT_AS fails; C code that does not check ends with
            // SIGSEGV, checked code often with abort(), and SIGKILL we did not send is the
            // kernel's OOM killer. Saying the limit lets the operator see the likely cause.
            if memoryLimitBytes > 0, let signal = termination.signal, [SIGSEGV, SIGABRT, SIGKILL].contains(signal) {
                reason += " (memory limit \(memoryLimitBytes >> 20) MiB; RLIMIT_AS)"
            }
        }
        let tail = standardErrorTail.trimmingCharacters(in: .whitespacesAndNewlines)
        if !tail.isEmpty {
            reason += "; its stderr ended with: \(tail)"
        }
        return reason
    }
}

/// Why a worker could not be started.
struct WorkerSpawnError: Error, Sendable, CustomStringConvertible {
    /// The call that failed, such as `posix_spawn`.
    var call: String
    /// Its errno.
    var code: Int32
    /// The executable being started.
    var executable: String

    var description: String {
        "cannot start a worker process (\(executable) --worker): \(call) failed: \(String(cString: strerror(code))) (errno \(code))"
    }
}

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
/// The process is reaped only by the reader thread, and ``kill()`` signals only a process
/// that is not reaped yet (the check and the reaping share a lock, and the reader waits
/// with `WNOWAIT` first): a reused pid is never signalled, and no zombie is left.
final class WorkerProcess: Sendable {
    /// The bytes kept of each standard stream.
    static let streamCapacity = 64 << 10
    /// How long a worker whose connection ended may take to exit before it is killed.
    static let exitGrace: DispatchTimeInterval = .seconds(1)
    /// The stack of the reader and drain threads; they only copy bytes.
    static let threadStackSize = 256 << 10

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
    /// The `RLIMIT_AS` it was started with, in bytes; 0: none.
    let memoryLimitBytes: Int
    private let channel: WorkerChannel
    private let standardOutput = OutputTail(capacity: WorkerProcess.streamCapacity)
    private let standardError = OutputTail(capacity: WorkerProcess.streamCapacity)
    private let state: Mutex<State>
    private let streams: Mutex<Streams>
    private let streamsDrained = DispatchSemaphore(value: 0)

    private init(pid: pid_t, channel: WorkerChannel, streamDescriptors: [Int32], memoryLimitBytes: Int,
                 handler: @escaping @Sendable (WorkerEvent) -> Void)
    {
        self.pid = pid
        self.channel = channel
        self.memoryLimitBytes = memoryLimitBytes
        state = Mutex(State(handler: handler))
        streams = Mutex(Streams(descriptors: streamDescriptors))
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
        let code = spawnWorker(executable: executable, memoryLimitBytes: memoryLimitBytes, pid: &pid,
                               channel: socketPair[1], standardOutput: outputPipe[1], standardError: errorPipe[1])
        guard code == 0 else {
            [socketPair[0], outputPipe[0], errorPipe[0]].forEach { _ = close($0) }
            throw failure("posix_spawn", code)
        }
        for descriptor in [outputPipe[0], errorPipe[0]] {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
        let worker = WorkerProcess(
            pid: pid, channel: WorkerChannel(fileDescriptor: socketPair[0]),
            streamDescriptors: [outputPipe[0], errorPipe[0]], memoryLimitBytes: memoryLimitBytes, handler: handler)
        worker.startThreads()
        return worker
    }

    /// `posix_spawn` as docs/WORKER-PROTOCOL.md says: empty signal mask, default
    /// dispositions, a process group of its own, fds 0-3 set up; every other descriptor of
    /// the daemon is close-on-exec. Returns 0 or the error number.
    private static func spawnWorker(executable: String, memoryLimitBytes: Int, pid: inout pid_t,
                                    channel: Int32, standardOutput: Int32, standardError: Int32) -> Int32
    {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Threads of Dispatch and of the Swift pool block signals; without an explicit empty
        // mask the worker would inherit that mask (LINUX-NOTES.md).
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD] {
            sigaddset(&defaults, signal)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Targets 1 and 2 first: the daemon's own 0-2 are open, so the pipes are above 2,
        // and duplicating onto 3 last cannot clobber a descriptor still to be duplicated.
        // (glibc clears close-on-exec when a descriptor is duplicated onto itself.)
        posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError, 2)
        posix_spawn_file_actions_adddup2(&actions, channel, 3)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        let arguments = [executable, "--worker", "--parent-pid", "\(getpid())", "--memory-limit-bytes", "\(memoryLimitBytes)"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { argv.forEach { free($0) } }
        // The daemon's environment, without the Swift runtime's crash backtracer: a crash in
        // skill code would otherwise fill the worker's stderr (the run's crash message)
        // with a backtrace of the host, and take time to print it.
        var environment: [UnsafeMutablePointer<CChar>?] = []
        var entry: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = environ
        while let variable = entry.pointee {
            if !String(cString: variable).hasPrefix("SWIFT_BACKTRACE=") { environment.append(strdup(variable)) }
            entry += 1
        }
        environment.append(strdup("SWIFT_BACKTRACE=enable=no"))
        environment.append(nil)
        defer { environment.forEach { free($0) } }
        return posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
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

    /// Whether the worker has ended (its process reaped).
    var hasEnded: Bool { state.withLock { $0.exit != nil } }

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

    /// What the worker wrote to stdout and stderr since the last call, as warning lines of
    /// at most `maximumLineBytes` bytes, at most `maximumLines` per stream (the last ones),
    /// with a line saying what was left out.
    func takeCapturedOutput(maximumLineBytes: Int, maximumLines: Int) -> [RunLogLine] {
        drainAvailable(closingAtEnd: false)
        var lines: [RunLogLine] = []
        for (name, tail) in [("stdout", standardOutput), ("stderr", standardError)] {
            let (bytes, dropped) = tail.take()
            guard !bytes.isEmpty else { continue }
            var texts = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
                .map { String(decoding: $0.prefix(maximumLineBytes), as: UTF8.self) }
            let skippedLines = max(0, texts.count - maximumLines)
            texts.removeFirst(skippedLines)
            if dropped > 0 || skippedLines > 0 {
                lines.append(RunLogLine(level: .warning, message:
                    "\(name): the worker wrote more than is kept; \(dropped) bytes and \(skippedLines) lines before these were dropped"))
            }
            lines += texts.map { RunLogLine(level: .warning, message: "\(name): \($0)") }
        }
        return lines
    }

    // MARK: The reader thread

    private func readMessages() {
        var protocolError: WorkerProtocolError?
        while true {
            do {
                let message = try channel.receive()
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
        // The pipes reach end of stream once the process group is gone; wait a little for
        // the last bytes so that the crash message can quote them.
        _ = streamsDrained.wait(timeout: .now() + .milliseconds(250))
        let exit = state.withLock { state in
            WorkerExit(termination: termination, protocolError: protocolError, killedByDaemon: state.killedByDaemon,
                       memoryLimitBytes: memoryLimitBytes, standardErrorTail: lastLines(of: standardError.peekText(last: 1024)))
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

    /// Waits for the process to exit (killing it after ``exitGrace``), then reaps it under
    /// the lock that ``kill()`` takes.
    private func reap() -> WorkerTermination {
        // Weak: a pending timer must not keep the worker (and its socket) alive.
        let killer = DispatchWorkItem { [weak self] in self?.kill() }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.exitGrace, execute: killer)
        defer { killer.cancel() }
        var information = siginfo_t()
        while waitid(P_PID, id_t(pid), &information, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        return state.withLock { state in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            state.reaped = true
            return WorkerTermination(waitStatus: status)
        }
    }

    private func lastLines(of text: String, count: Int = 5) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).joined(separator: " | ")
    }

    // MARK: The drain thread

    private func drainStreams() {
        while true {
            let open = streams.withLock { $0.descriptors }
            guard open.contains(where: { $0 >= 0 }) else { break }
            var pollSet = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&pollSet, nfds_t(pollSet.count), -1)
            if ready < 0 && errno != EINTR { break }
            drainAvailable(closingAtEnd: true)
        }
        streamsDrained.signal()
    }

    /// Reads whatever the pipes hold now, without blocking. Only the drain thread closes a
    /// pipe at its end (`closingAtEnd`), so it never polls a descriptor number reused since.
    private func drainAvailable(closingAtEnd: Bool) {
        streams.withLock { streams in
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            for (index, tail) in [standardOutput, standardError].enumerated() {
                let descriptor = streams.descriptors[index]
                guard descriptor >= 0 else { continue }
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count > 0 {
                        buffer.withUnsafeBytes { tail.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        if closingAtEnd && (count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
                            close(descriptor)
                            streams.descriptors[index] = -1
                        }
                        break
                    }
                }
            }
        }
    }
}

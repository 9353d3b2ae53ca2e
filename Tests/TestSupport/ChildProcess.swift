import Foundation
import Glibc
import Synchronization
import SystemCalls

/// A child process for tests: started with `posix_spawn`, talked to over its standard
/// streams, signalled, waited for, and always reaped.
///
/// Foundation's `Process` is not used: on Linux it does not reset the child's signal mask,
/// so a child started from a Dispatch or async thread inherits that thread's mask, in
/// which libdispatch blocks SIGTERM. Here the child starts with an empty signal mask and
/// default dispositions for the signals tests send, so `signal(SIGTERM)` really reaches it.
///
/// When the last reference goes away, a child that has not been waited for is killed
/// with SIGKILL and reaped, so a failed test never leaves a process behind.
///
/// Streams set to ``StandardStream/pipe`` are Unix socket pairs rather than pipes: they
/// are created close-on-exec atomically (`pipe2` is not visible from Swift), so a child
/// spawned concurrently by another test never inherits them and delays end-of-file, and
/// writes use `MSG_NOSIGNAL`, so a child that exits early cannot end the test process
/// with SIGPIPE.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum StandardStream: Sendable, Equatable {
        /// The test process's own stream.
        case inherit
        /// `/dev/null`.
        case null
        /// A connection to this object: write to standard input, read the outputs.
        case pipe
        /// A file: read for standard input; created if needed and appended to for outputs.
        case file(String)
    }

    /// One of the child's outputs.
    public enum Output: String, Sendable {
        case standardOutput = "standard output"
        case standardError = "standard error"
    }

    /// The child's process id.
    public let pid: pid_t
    /// The executable as given to ``init(_:arguments:environment:standardInput:standardOutput:standardError:descriptors:)``.
    public let executable: String

    /// Everything that changes after the spawn. Guarded by a mutex because a test may read
    /// output, signal and wait from different tasks; the lock is never held across a
    /// blocking call, and holding it while signalling guarantees that a reaped (and so
    /// possibly reused) pid is never signalled.
    private let state: Mutex<State>

    /// Signals set back to their default disposition in the child.
    private static let defaultedSignals: [Int32] = [
        SIGPIPE, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM,
    ]

    /// Starts `executable` (a path, or a name looked up in `PATH` when it has no `/`).
    ///
    /// - Parameters:
    ///   - arguments: The arguments after `argv[0]`, which is `executable`.
    ///   - environment: The child's whole environment; by default this process's.
    ///   - standardInput: Where the child reads from; by default `/dev/null`.
    ///   - standardOutput: Where the child writes its output; by default this process's.
    ///   - standardError: Where the child writes its errors; by default this process's.
    ///   - descriptors: More descriptors the child inherits: its number for each, and this
    ///     process's descriptor it is a copy of (a socket passed as a service manager does).
    ///     This process's number must differ from the child's.
    public init(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        standardInput: StandardStream = .null,
        standardOutput: StandardStream = .inherit,
        standardError: StandardStream = .inherit,
        descriptors: [Int32: Int32] = [:]
    ) throws(TestSupportError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        defer { childEnds.forEach { close($0) } }
        let streams = [standardInput, standardOutput, standardError]
        for (target, stream) in streams.enumerated() {
            let fd = Int32(target)
            switch stream {
            case .inherit:
                break
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                let flags = fd == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_APPEND
                posix_spawn_file_actions_addopen(&actions, fd, path, flags, 0o644)
            case .pipe:
                var ends: [Int32] = [-1, -1]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
                    let code = errno
                    parentEnds.compactMap { $0 }.forEach { close($0) }
                    throw .systemCallFailed(operation: "socketpair", target: "the \(Output.name(of: fd)) of \(executable)", errno: code)
                }
                parentEnds[target] = ends[0]
                childEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], fd)
            }
        }

        // After the standard streams, whose sources may have any number above 2.
        for (childDescriptor, descriptor) in descriptors.sorted(by: { $0.key < $1.key }) {
            posix_spawn_file_actions_adddup2(&actions, descriptor, childDescriptor)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        Self.defaultedSignals.forEach { sigaddset(&defaulted, $0) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var childPID: pid_t = 0
        let result = executable.contains("/")
            ? posix_spawn(&childPID, executable, &actions, &attributes, argv, envp)
            : posix_spawnp(&childPID, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            parentEnds.compactMap { $0 }.forEach { close($0) }
            throw .spawnFailed(executable: executable, errno: result)
        }
        pid = childPID
        self.executable = executable
        state = Mutex(State(
            standardInput: parentEnds[0],
            standardOutput: parentEnds[1].map { ReadEnd(fd: $0) },
            standardError: parentEnds[2].map { ReadEnd(fd: $0) },
            termination: nil))
    }

    deinit {
        state.withLock { state in
            if state.termination == nil {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                _ = try? retryingOnInterrupt("waitpid") { waitpid(pid, &status, 0) }
            }
            state.closeAll()
        }
    }

    // MARK: Signals and waiting

    /// Sends `signal` to the child; does nothing once the child has been reaped, when its
    /// pid may belong to another process.
    public func signal(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { kill(pid, signal) }
        }
    }

    /// How the child ended, if it has; never blocks.
    public func pollTermination() throws(TestSupportError) -> Termination? {
        try state.withLock { state throws(TestSupportError) in try state.reap(pid) }
    }

    /// Waits until the child ends, suspending (not blocking) between checks.
    ///
    /// - Throws: ``TestSupportError/timedOut(operation:timeout:)`` when it is still
    ///   running after `timeout` (it is left running: signal it, or let `deinit` kill it).
    public func wait(timeout: Duration = .seconds(30)) async throws(TestSupportError) -> Termination {
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(1)
        while true {
            if let termination = try pollTermination() { return termination }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: "waiting for process \(pid) (\(executable)) to end", timeout: timeout)
            }
            try await Self.sleep(pause, during: "waiting for process \(pid) (\(executable))")
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Waits until the child ends, blocking the calling thread. For synchronous helpers
    /// only; async tests use ``wait(timeout:)``.
    public func blockingWait(timeout: Duration = .seconds(30)) throws(TestSupportError) -> Termination {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let termination = try pollTermination() { return termination }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: "waiting for process \(pid) (\(executable)) to end", timeout: timeout)
            }
            usleep(2_000)
        }
    }

    // MARK: Standard streams

    /// Writes `text` to the child's standard input, waiting while the child has not
    /// taken earlier bytes (without holding up other calls on this object).
    ///
    /// - Throws: ``TestSupportError/timedOut(operation:timeout:)`` when the child has not
    ///   taken everything within `timeout`.
    public func write(_ text: String, timeout: Duration = .seconds(30)) throws(TestSupportError) {
        let deadline = ContinuousClock.now + timeout
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = try state.withLock { state throws(TestSupportError) -> Int in
                guard let fd = state.standardInput else { throw .notPiped(stream: "standard input", pid: pid) }
                do throws(SystemCallError) {
                    return try retryingOnInterrupt("send") {
                        bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                    }
                } catch where error.errno == .wouldBlock {
                    return 0
                } catch {
                    throw .systemCallFailed(operation: "write", target: "the standard input of process \(pid)",
                                            errno: error.errno.rawValue)
                }
            }
            bytes = bytes.dropFirst(sent)
            guard sent == 0 else { continue }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: "writing to the standard input of \(executable)", timeout: timeout)
            }
            usleep(1_000)
        }
    }

    /// Closes the child's standard input, so that it reads end-of-file.
    public func closeStandardInput() {
        state.withLock { state in
            if let fd = state.standardInput { close(fd) }
            state.standardInput = nil
        }
    }

    /// The next line the child writes to `output`, without its newline; `nil` at
    /// end-of-file. A last line without a newline is returned as it is.
    ///
    /// - Throws: ``TestSupportError/timedOut(operation:timeout:)`` when no whole line
    ///   arrives within `timeout`.
    public func readLine(from output: Output = .standardOutput, timeout: Duration = .seconds(30))
        async throws(TestSupportError) -> String?
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let step = try state.withLock { state throws(TestSupportError) in
                try state.withReadEnd(of: output, pid: pid) { end throws(TestSupportError) in
                    try end.nextLine(pid: pid, output: output)
                }
            }
            switch step {
            case .line(let line): return line
            case .end: return nil
            case .pending: break
            }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: "reading a line of the \(output.rawValue) of \(executable)", timeout: timeout)
            }
            try await Self.sleep(.milliseconds(2), during: "reading the \(output.rawValue) of \(executable)")
        }
    }

    /// Everything the child writes to `output` until it closes it (usually when it exits),
    /// after what earlier calls of ``readLine(from:timeout:)`` returned.
    public func readAll(from output: Output = .standardOutput, timeout: Duration = .seconds(30))
        async throws(TestSupportError) -> String
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            let text = try state.withLock { state throws(TestSupportError) in
                try state.withReadEnd(of: output, pid: pid) { end throws(TestSupportError) -> String? in
                    while try end.readAvailable(pid: pid, output: output) {}
                    guard end.atEnd else { return nil }
                    defer { end.buffer.removeAll() }
                    return String(decoding: end.buffer, as: UTF8.self)
                }
            }
            if let text { return text }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(operation: "reading the \(output.rawValue) of \(executable) to its end", timeout: timeout)
            }
            try await Self.sleep(.milliseconds(2), during: "reading the \(output.rawValue) of \(executable)")
        }
    }

    private static func sleep(_ duration: Duration, during operation: String) async throws(TestSupportError) {
        do {
            try await Task.sleep(for: duration)
        } catch {
            throw .cancelled(operation: operation)
        }
    }
}

extension ChildProcess.Output {
    fileprivate static func name(of fd: Int32) -> String {
        switch fd {
        case 0: "standard input"
        case 1: Self.standardOutput.rawValue
        default: Self.standardError.rawValue
        }
    }
}

/// The parent's end of a child's output, with the bytes read but not yet returned.
private struct ReadEnd {
    let fd: Int32
    var buffer: [UInt8] = []
    var atEnd = false

    /// A line already read, or what reading the bytes available now (without blocking) gives.
    mutating func nextLine(pid: pid_t, output: ChildProcess.Output) throws(TestSupportError) -> ReadStep {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                defer { buffer.removeSubrange(...newline) }
                return .line(String(decoding: buffer[..<newline], as: UTF8.self))
            }
            if atEnd {
                guard !buffer.isEmpty else { return .end }
                defer { buffer.removeAll() }
                return .line(String(decoding: buffer, as: UTF8.self))
            }
            guard try readAvailable(pid: pid, output: output) else { return .pending }
        }
    }

    /// Reads what is available now into `buffer`, or notes end-of-file; false when there
    /// is nothing to read yet.
    mutating func readAvailable(pid: pid_t, output: ChildProcess.Output) throws(TestSupportError) -> Bool {
        guard !atEnd else { return false }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        do throws(SystemCallError) {
            let count = try retryingOnInterrupt("read") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
            if count == 0 { atEnd = true }
            buffer.append(contentsOf: chunk[..<count])
        } catch where error.errno == .wouldBlock {
            return true
        } catch {
            throw .systemCallFailed(operation: "read", target: "the \(output.rawValue) of process \(pid)", errno: error.errno.rawValue)
        }
        return true
    }
}

/// What one attempt to read a line found.
private enum ReadStep {
    case line(String)
    case end
    case pending
}

/// The mutable part of a ``ChildProcess``.
private struct State {
    var standardInput: Int32?
    var standardOutput: ReadEnd?
    var standardError: ReadEnd?
    var termination: Termination?

    /// Collects the child's exit status if it has ended; never blocks.
    mutating func reap(_ pid: pid_t) throws(TestSupportError) -> Termination? {
        if let termination { return termination }
        var status: Int32 = 0
        do throws(SystemCallError) {
            guard try retryingOnInterrupt("waitpid", { waitpid(pid, &status, WNOHANG) }) == pid else { return nil }
        } catch {
            throw .systemCallFailed(operation: "waitpid", target: "process \(pid)", errno: error.errno.rawValue)
        }
        termination = Termination(waitStatus: status)
        return termination
    }

    /// Runs `body` on the read end of `output`, which must be piped.
    mutating func withReadEnd<Result>(
        of output: ChildProcess.Output, pid: pid_t,
        _ body: (inout ReadEnd) throws(TestSupportError) -> Result
    ) throws(TestSupportError) -> Result {
        switch output {
        case .standardOutput:
            guard standardOutput != nil else { throw .notPiped(stream: output.rawValue, pid: pid) }
            return try body(&standardOutput!)
        case .standardError:
            guard standardError != nil else { throw .notPiped(stream: output.rawValue, pid: pid) }
            return try body(&standardError!)
        }
    }

    /// Closes every descriptor this side still holds.
    mutating func closeAll() {
        [standardInput, standardOutput?.fd, standardError?.fd].compactMap { $0 }.forEach { close($0) }
        standardInput = nil
        standardOutput = nil
        standardError = nil
    }
}

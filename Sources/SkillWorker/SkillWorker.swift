import CSystemShims
import Foundation
import Glibc
import SkillABI
import SkillRuntime
import SystemCalls
import WorkerProtocol

/// The worker mode of `skillhostd` (docs/WORKER-PROTOCOL.md): `skillhostd --worker
/// --parent-pid N --memory-limit-bytes N`, started by the daemon itself for process
/// isolation. It loads one skill file and runs its invocations one at a time, speaking the
/// worker protocol on file descriptor 3.
public enum SkillWorker {
    /// The exit statuses of a worker, for the daemon's "exited with status N".
    enum ExitStatus {
        /// `shutdown`, end of stream, an `inspect` or a `load_failed` answered.
        static let success: Int32 = 0
        /// The arguments are not `--worker --parent-pid N [--memory-limit-bytes N]`.
        static let usage: Int32 = 64
        /// The daemon died before the worker could ask to die with it.
        static let orphaned: Int32 = 70
        /// The daemon sent something the protocol does not allow there, or the channel failed.
        static let protocolViolation: Int32 = 71
        /// The parent-death signal or the memory limit could not be set, or the skill's
        /// thread could not be started (a memory limit too small for a worker).
        static let setupFailed: Int32 = 72
    }

    /// Stack size of the thread that runs the skill; C skills expect a process-like stack.
    static let skillThreadStackSize = 8 << 20

    /// The file descriptor of the worker's end of the socketpair.
    static let channelDescriptor: Int32 = 3

    /// Runs the worker: `arguments` are the process's arguments after the executable's
    /// path, starting with `--worker`. Never returns: the process exits with 0 after
    /// `shutdown` or end of stream, and with a status of ``ExitStatus`` otherwise.
    public static func main(arguments: [String]) -> Never {
        let options: Options
        switch Options.parse(arguments) {
        case let .success(parsed): options = parsed
        case let .failure(problem): terminate(status: ExitStatus.usage, "\(problem.message) (usage: --worker --parent-pid N [--memory-limit-bytes N])")
        }
        guard cshim_set_parent_death_signal(SIGKILL) == 0 else {
            terminate(status: ExitStatus.setupFailed, "prctl(PR_SET_PDEATHSIG) failed: \(String(cString: strerror(errno)))")
        }
        // Checked after the prctl: a daemon that died before it went unnoticed. In a PID
        // namespace the parent is skillhost-worker-init (pid 1), not the daemon: there the
        // daemon's end of the channel tells.
        if channelPeerIsGone() || getppid() != 1 && getppid() != options.parentPID {
            terminate(status: ExitStatus.orphaned, "the daemon (pid \(options.parentPID)) is gone; the parent is now pid \(getppid())")
        }
        if options.memoryLimitBytes > 0 {
            var limit = rlimit(rlim_cur: rlim_t(options.memoryLimitBytes), rlim_max: rlim_t(options.memoryLimitBytes))
            guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else {
                terminate(status: ExitStatus.setupFailed,
                          "setrlimit(RLIMIT_AS, \(options.memoryLimitBytes)) failed: \(String(cString: strerror(errno)))")
            }
        }
        // Before any other thread exists and any skill code is loaded.
        let sandbox: WorkerSandbox.Outcome
        switch WorkerSandbox.enter(options.sandbox) {
        case let .success(outcome): sandbox = outcome
        case let .failure(failure): terminate(status: ExitStatus.setupFailed, failure.message)
        }
        // Names the memory limit in the run's crash message only when the crash shows signs
        // of it (docs/WORKER-PROTOCOL.md); the skill may install handlers of its own.
        guard cshim_install_memory_crash_reporter() == 0 else {
            terminate(status: ExitStatus.setupFailed, "sigaction failed: \(String(cString: strerror(errno)))")
        }
        // Processes the skill starts must not inherit the channel.
        _ = fcntl(channelDescriptor, F_SETFD, FD_CLOEXEC)
        // pthread_create, not Thread: Thread gives no error when the thread cannot be made
        // (a memory limit too small for its stack), and the worker would wait forever.
        let created = startSkillThread(sandbox)
        guard created == 0 else {
            terminate(status: ExitStatus.setupFailed,
                      "cannot start the skill's thread (\(skillThreadStackSize >> 20) MiB stack): \(String(cString: strerror(created)))"
                          + (options.memoryLimitBytes > 0 ? "; the memory limit of \(options.memoryLimitBytes >> 20) MiB is too small for a worker" : ""))
        }
        while true {
            pause()
        }
    }

    /// Whether the daemon's end of the channel is closed: the daemon is gone.
    private static func channelPeerIsGone() -> Bool {
        // POLLRDHUP (0x2000), which Glibc does not export without _GNU_SOURCE: the peer closed.
        let peerClosed: Int16 = 0x2000
        var watched = pollfd(fd: channelDescriptor, events: peerClosed, revents: 0)
        return poll(&watched, 1, 0) > 0 && watched.revents & (peerClosed | Int16(POLLHUP | POLLERR | POLLNVAL)) != 0
    }

    /// The sandbox's outcome, handed to the skill's thread.
    private final class SandboxBox {
        let outcome: WorkerSandbox.Outcome
        init(_ outcome: WorkerSandbox.Outcome) { self.outcome = outcome }
    }

    /// Starts the thread that serves the protocol and runs the skill; it ends the process
    /// when the conversation ends. Returns 0 or the error number of `pthread_create`.
    private static func startSkillThread(_ sandbox: WorkerSandbox.Outcome) -> Int32 {
        let body: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { argument in
            let sandbox = Unmanaged<SandboxBox>.fromOpaque(argument!).takeRetainedValue().outcome
            exit(SkillWorker.serve(WorkerChannel(fileDescriptor: SkillWorker.channelDescriptor), sandbox: sandbox))
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, skillThreadStackSize)
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(SandboxBox(sandbox)).toOpaque()
        let created = pthread_create(&thread, &attributes, body, argument)
        if created != 0 { Unmanaged<SandboxBox>.fromOpaque(argument).release() }
        return created
    }

    /// Writes "skillhostd worker: `message`" to stderr (the daemon keeps it with the run's
    /// logs) and exits with `status`.
    static func terminate(status: Int32, _ message: String) -> Never {
        let line = Array("skillhostd worker: \(message)\n".utf8)
        FileDescriptor.withUnowned(STDERR_FILENO) { standardError in _ = try? standardError.writeAll(line) }
        exit(status)
    }

    /// The protocol's conversation: `sandboxed`, then `load` and `run`s until `shutdown` or
    /// end of stream, or `inspect` alone. The skill file is the sandbox's copy when it made
    /// one. Returns the exit status; the skill is released (its `deinit` runs) before it
    /// returns.
    private static func serve(_ channel: WorkerChannel, sandbox: WorkerSandbox.Outcome) -> Int32 {
        send(.sandboxed(sandbox.report), on: channel)
        let skill: LoadedSkill
        switch receive(channel, expecting: "load or inspect") {
        case let .load(path)?:
            do {
                skill = try SkillLoader.load(path: sandbox.skillPath ?? path)
            } catch {
                send(.loadFailed(message: sandbox.namingTheDaemonsPath(path, in: error.description)), on: channel)
                return ExitStatus.success
            }
        case let .inspect(path)?:
            do {
                send(.inspected(try SkillLoader.inspect(path: sandbox.skillPath ?? path)), on: channel)
            } catch {
                send(.loadFailed(message: sandbox.namingTheDaemonsPath(path, in: error.description)), on: channel)
            }
            return ExitStatus.success
        case .shutdown?, nil:
            return ExitStatus.success
        case let other?:
            terminate(status: ExitStatus.protocolViolation, "expected load or inspect, received \(other.name)")
        }
        let manifest = skill.manifest
        send(.loaded(name: manifest.name, version: manifest.version, flags: manifest.flags,
                     abiMajor: UInt32(manifest.abiMajor), abiMinor: UInt32(manifest.abiMinor)), on: channel)

        while true {
            switch receive(channel, expecting: "run or shutdown") {
            case let .run(number, input, model)?:
                let invocation = SkillWorkerInvocation(number: number, model: model, channel: channel)
                WorkerSandbox.beginRun(sandbox)
                let (status, output) = HostTable.run(skill, input: input, services: invocation)
                WorkerSandbox.endRun(sandbox)
                for message in invocation.finish(status: status, output: output) {
                    send(message, on: channel)
                }
            case .shutdown?, nil:
                return ExitStatus.success
            case let other?:
                terminate(status: ExitStatus.protocolViolation, "expected run or shutdown, received \(other.name)")
            }
        }
    }

    /// The next message, or nil at end of stream; any other failure ends the worker.
    private static func receive(_ channel: WorkerChannel, expecting expected: String) -> WorkerMessage? {
        do throws(WorkerProtocolError) {
            return try channel.receive()
        } catch .connectionClosed {
            return nil
        } catch {
            terminate(status: ExitStatus.protocolViolation, "waiting for \(expected): \(error)")
        }
    }

    private static func send(_ message: WorkerMessage, on channel: WorkerChannel) {
        do throws(WorkerProtocolError) {
            try channel.send(message)
        } catch {
            terminate(status: ExitStatus.protocolViolation, "cannot send \(message.name): \(error)")
        }
    }

    /// The command line of a worker.
    private struct Options {
        var parentPID: pid_t
        var memoryLimitBytes: UInt64
        var sandbox: WorkerSandboxOptions

        struct Problem: Error {
            let message: String
        }

        static func parse(_ arguments: [String]) -> Result<Options, Problem> {
            guard arguments.first == "--worker" else { return .failure(Problem(message: "the first argument must be --worker")) }
            var parentPID: pid_t?
            var memoryLimitBytes: UInt64 = 0
            var sandbox = WorkerSandboxOptions()
            var remaining = arguments.dropFirst()
            while let flag = remaining.popFirst() {
                if let takesValue = WorkerSandboxOptions.takesValue(flag) {
                    let value = takesValue ? remaining.popFirst() : nil
                    if takesValue && value == nil { return .failure(Problem(message: "\(flag) needs a value")) }
                    if let problem = sandbox.apply(flag, value: value) { return .failure(Problem(message: problem)) }
                    continue
                }
                guard let value = remaining.popFirst() else { return .failure(Problem(message: "\(flag) needs a value")) }
                switch flag {
                case "--parent-pid":
                    guard let pid = pid_t(value), pid > 0 else {
                        return .failure(Problem(message: "--parent-pid \(value) is not a process id"))
                    }
                    parentPID = pid
                case "--memory-limit-bytes":
                    guard let bytes = UInt64(value) else {
                        return .failure(Problem(message: "--memory-limit-bytes \(value) is not a number of bytes (0: no limit)"))
                    }
                    memoryLimitBytes = bytes
                default:
                    return .failure(Problem(message: "unknown worker option \(flag)"))
                }
            }
            guard let parentPID else { return .failure(Problem(message: "--parent-pid is missing")) }
            return .success(Options(parentPID: parentPID, memoryLimitBytes: memoryLimitBytes, sandbox: sandbox))
        }
    }
}

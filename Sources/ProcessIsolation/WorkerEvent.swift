import Glibc
import SkillhostModel
import SystemCalls
import WorkerProtocol

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
    /// Whether the worker's crash reporter saw signs of memory exhaustion (errno `ENOMEM` on
    /// the crashing thread, or a peak address space near the limit) as it crashed.
    var memoryExhausted: Bool
    /// How many processes the kernel's OOM killer killed on this machine while the worker
    /// lived (`/proc/vmstat`'s `oom_kill` rose by that much); nil when it cannot be read.
    var systemOOMKills: Int? = nil
    /// The last lines of its stderr (without the crash reporter's line).
    var standardErrorTail: String

    /// The message of a run that this exit ended: "the skill's process was killed by
    /// SIGSEGV (memory limit 256 MiB; RLIMIT_AS); its stderr ended with: ...".
    ///
    /// It names only the cause it can prove: the memory limit when the worker's crash
    /// reporter saw memory run out; for a SIGKILL the daemon did not send, that it did not
    /// send it, and the OOM killer only when the kernel counted an OOM kill meanwhile; a
    /// CPU time limit for SIGXCPU, the signal the kernel sends past `RLIMIT_CPU`.
    var crashReason: String {
        var reason: String
        if let protocolError, protocolError != .connectionClosed {
            reason = "protocol violation: \(protocolError); the skill's process was killed"
        } else {
            switch termination {
            case .exited: reason = "the skill's process \(termination) before the run ended"
            case let .signaled(signal, _): reason = "the skill's process was \(termination)" + cause(ofSignal: signal)
            case .unknown: reason = "the skill's process ended but \(termination)"
            }
        }
        let tail = standardErrorTail.trimmingCharacters(in: .whitespacesAndNewlines)
        if !tail.isEmpty {
            reason += "; its stderr ended with: \(tail)"
        }
        return reason
    }

    /// What is known of why `signal` ended the worker, to follow "killed by SIGNAL"; empty
    /// when nothing more than the signal is known.
    private func cause(ofSignal signal: Int32) -> String {
        // An allocation beyond RLIMIT_AS fails, and the crash reporter saw ENOMEM or an
        // address space near the limit as the worker crashed.
        if memoryExhausted, memoryLimitBytes > 0 {
            return " (memory limit \(memoryLimitBytes >> 20) MiB; RLIMIT_AS)"
        }
        switch signal {
        case SIGKILL where killedByDaemon:
            return " (sent by skillhostd)"
        case SIGKILL:
            var cause = ", not sent by the daemon (the skill, another process or the kernel)"
            if let kills = systemOOMKills, kills > 0 {
                cause += "; the kernel's OOM killer killed \(kills == 1 ? "a process" : "\(kills) processes") "
                    + "on this machine while it ran (/proc/vmstat oom_kill), which may have been it"
            }
            return cause
        case SIGXCPU:
            return ": it exceeded its CPU time limit (RLIMIT_CPU)"
        default:
            return ""
        }
    }
}

/// The kernel's count of processes its OOM killer killed since boot (`oom_kill` in
/// `/proc/vmstat`, Linux 4.13 and later): the one evidence of an OOM kill the daemon can read
/// without privileges, for the machine as a whole.
enum SystemOOMKills {
    /// The count now; nil when `/proc/vmstat` cannot be read or has no `oom_kill` line.
    static func count() -> Int? {
        guard let bytes = try? FileDescriptor.contents(ofFile: "/proc/vmstat", upTo: 1 << 16) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("oom_kill ") {
            return Int(line.dropFirst("oom_kill ".count))
        }
        return nil
    }

    /// How many OOM kills happened since `start` was counted; nil when either count is unknown.
    static func since(_ start: Int?) -> Int? {
        guard let start, let now = count() else { return nil }
        return now - start
    }
}

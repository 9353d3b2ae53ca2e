import Glibc
import SkillhostModel
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
    /// The last lines of its stderr (without the crash reporter's line).
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
            case .unknown: reason = "the skill's process ended but \(termination)"
            }
            // The limit is named only on evidence: an allocation beyond RLIMIT_AS fails, and
            // the worker's crash reporter saw ENOMEM or an address space near the limit.
            // A SIGKILL the daemon did not send is most likely the kernel's OOM killer.
            if memoryExhausted, memoryLimitBytes > 0, termination.signal != nil {
                reason += " (memory limit \(memoryLimitBytes >> 20) MiB; RLIMIT_AS)"
            } else if termination.signal == SIGKILL, !killedByDaemon {
                reason += " (skillhostd did not send that SIGKILL: most likely the kernel's OOM killer)"
            }
        }
        let tail = standardErrorTail.trimmingCharacters(in: .whitespacesAndNewlines)
        if !tail.isEmpty {
            reason += "; its stderr ended with: \(tail)"
        }
        return reason
    }
}

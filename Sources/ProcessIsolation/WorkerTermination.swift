import Glibc

/// How a worker process ended, decoded by hand from a `waitpid` status (`WIFEXITED` and
/// friends are macros that Swift does not import).
enum WorkerTermination: Sendable, Equatable, CustomStringConvertible {
    /// It called `exit` (or returned from `main`) with `status`.
    case exited(status: Int32)
    /// A signal ended it; `coreDumped` when the kernel wrote a core file.
    case signaled(signal: Int32, coreDumped: Bool)
    /// `waitpid` failed with `errno` (not `EINTR`): how it ended is unknown.
    case unknown(errno: Int32)

    /// Decodes the status `waitpid` stored: low 7 bits 0 means exited with the next byte as
    /// status; otherwise the low 7 bits are the signal and bit 7 says a core was dumped.
    init(waitStatus status: Int32) {
        let signal = status & 0x7F
        if signal == 0 {
            self = .exited(status: (status >> 8) & 0xFF)
        } else {
            self = .signaled(signal: signal, coreDumped: status & 0x80 != 0)
        }
    }

    /// The signal that ended the process, if one did.
    var signal: Int32? {
        if case let .signaled(signal, _) = self { return signal }
        return nil
    }

    /// "killed by SIGSEGV", "killed by SIGABRT (core dumped)", "exited with status 3" or
    /// "could not be reaped: No child processes".
    var description: String {
        switch self {
        case let .exited(status): "exited with status \(status)"
        case let .signaled(signal, coreDumped): "killed by \(Self.name(ofSignal: signal))\(coreDumped ? " (core dumped)" : "")"
        case let .unknown(code): "could not be reaped: \(String(cString: strerror(code)))"
        }
    }

    /// The conventional name of `signal`, such as `SIGSEGV`; `signal 42` for one without a name.
    static func name(ofSignal signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGSTKFLT: "SIGSTKFLT", SIGCHLD: "SIGCHLD", SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP",
            SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ",
            SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF", SIGWINCH: "SIGWINCH", SIGIO: "SIGIO", SIGPWR: "SIGPWR",
            SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}

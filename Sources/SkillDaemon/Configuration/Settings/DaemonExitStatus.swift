/// The statuses skillhostd exits with, declared once for the daemon and its `--help`.
public enum DaemonExitStatus: Int32, CaseIterable, Sendable {
    /// A clean shutdown, after SIGTERM or SIGINT.
    case stopped = 0
    /// It cannot start; the message says why.
    case cannotStart = 1
    /// A usage error, or a setting that is wrong; the message names it.
    case usage = 2
    /// It can neither serve nor stop as it should (EX_SOFTWARE): code in its process, an
    /// in-process skill, closed what it needs, or the shutdown overran its grace by far.
    case broken = 70
    /// Another skillhostd holds the data directory's lock (EX_TEMPFAIL: it may start once
    /// that one has stopped); the message names its pid and socket.
    case dataDirectoryInUse = 75

    /// What the status means, for `--help`.
    public var meaning: String {
        switch self {
        case .stopped: "after a clean shutdown"
        case .cannotStart: "when it cannot start (the message says why)"
        case .usage: "on a usage error or a setting that is wrong (the message names it)"
        case .broken: "when it lost a descriptor it serves with, or overran its shutdown grace by 10 s"
        case .dataDirectoryInUse: "when another skillhostd uses the data directory (the message names its pid and socket)"
        }
    }
}

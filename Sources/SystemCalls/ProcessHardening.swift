import CSystemShims
import Glibc

/// What a daemon does to itself at start-up so that other processes of its user (a skill's
/// worker among them) learn nothing from it and cannot exhaust it: not dumpable, private
/// files, and every descriptor the system lets it have.
public enum ProcessHardening {
    /// Makes this process not dumpable (`prctl(PR_SET_DUMPABLE, 0)`): processes of the same
    /// user can no longer ptrace it or open its `/proc/PID/environ`, `mem`, `maps` or `fd`
    /// (the kernel then owns those files by root), and it leaves no core dump. Only a
    /// process with `CAP_SYS_PTRACE` (root, as `perf stat -p` needs anyway) still can. An
    /// `execve` makes the new program dumpable again, so the processes it spawns are not
    /// affected.
    public static func makeNotDumpable() throws(SystemCallError) {
        try callingOnce("prctl(PR_SET_DUMPABLE)") { cshim_set_dumpable(0) }
    }

    /// Whether this process is dumpable (`prctl(PR_GET_DUMPABLE)`).
    public static var isDumpable: Bool {
        cshim_dumpable() == 1
    }

    /// Sets the file mode creation mask to 077, so that every file and directory this
    /// process creates from now on is private to its user whatever the mode of the
    /// directory it is created in (SQLite's `-wal` and `-shm` files included). Returns the
    /// mask it replaces. The processes it spawns inherit the mask.
    @discardableResult
    public static func restrictFileCreationMask() -> mode_t {
        umask(0o077)
    }

    /// The descriptor limit (`RLIMIT_NOFILE`) of this process.
    public struct DescriptorLimit: Sendable, Equatable {
        /// The soft limit before ``raiseDescriptorLimit()``.
        public var previous: Int
        /// The soft limit now: the most descriptors the process may have open.
        public var current: Int
        /// The hard limit, which only a privileged process could raise.
        public var hard: Int
    }

    /// Raises the soft descriptor limit to the hard one (systemd's default soft limit is
    /// 1,024, its hard limit 524,288), and returns both. Nothing in the daemon uses
    /// `select`, whose descriptor sets stop at 1,024.
    public static func raiseDescriptorLimit() throws(SystemCallError) -> DescriptorLimit {
        var limit = rlimit()
        try callingOnce("getrlimit(RLIMIT_NOFILE)") { getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) }
        let previous = limit.rlim_cur
        if limit.rlim_cur != limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            try callingOnce("setrlimit(RLIMIT_NOFILE)") { setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) }
        }
        return DescriptorLimit(previous: count(previous), current: count(limit.rlim_cur), hard: count(limit.rlim_max))
    }

    /// A limit as a count; `RLIM_INFINITY` (never the case for descriptors, whose hard limit
    /// stops at `fs.nr_open`) as `Int.max`.
    private static func count(_ value: rlim_t) -> Int {
        value > rlim_t(Int.max) ? Int.max : Int(value)
    }
}

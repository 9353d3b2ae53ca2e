extension WorkerProcess {
    /// The variables of the daemon's environment a worker (and so skill code) sees: the
    /// ones a program needs to run (`PATH`, `HOME`, `USER`, `LOGNAME`, `LANG`, `LC_*`, `TZ`,
    /// `TMPDIR`, `LD_LIBRARY_PATH`) and the ones meant for skills (`SKILL_*`). Nothing else:
    /// not the daemon's API keys, nor a service manager's `NOTIFY_SOCKET`, `WATCHDOG_*`,
    /// `LISTEN_*` or `JOURNAL_STREAM`, which would let a skill speak for the daemon.
    static let inheritedEnvironment: Set<Substring> = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "LD_LIBRARY_PATH"]

    /// Whether a worker inherits the variable `name`.
    static func isInherited(_ name: Substring) -> Bool {
        inheritedEnvironment.contains(name) || name.hasPrefix("LC_") || name.hasPrefix("SKILL_")
    }
}

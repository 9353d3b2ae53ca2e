import Glibc

/// A program skillbench starts (the daemon, the echo floor, its own unrecorded host), with
/// standard output and error appended to a log file, in its own process group so that
/// stopping it stops whatever it started.
final class ChildProcess {
    /// The process id.
    let pid: pid_t
    /// What was started, for messages.
    let commandLine: String
    /// Where its output goes.
    let logPath: String
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`, its output appended to `logPath`.
    init(executable: String, arguments: [String], logPath: String) throws(BenchError) {
        commandLine = ([executable] + arguments).joined(separator: " ")
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard code == 0 else {
            throw BenchError("cannot start \(commandLine): \(String(cString: strerror(code)))")
        }
        pid = child
    }

    deinit {
        stop()
    }

    /// Whether it still runs (reaps it if it ended).
    var isRunning: Bool {
        reap(blocking: false)
        return exitStatus == nil
    }

    /// Waits up to `timeout` seconds for it to exit by itself.
    /// - Throws: when it is still running then (it is stopped).
    func waitForExit(timeout: Double) throws(BenchError) {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while isRunning {
            guard MonotonicClock.now() < deadline else {
                stop()
                throw BenchError("\(commandLine) did not finish within \(Int(timeout)) s")
            }
            usleep(5_000)
        }
    }

    /// The last lines of its log, for error messages.
    func logTail(lines: Int = 20) -> String {
        guard let log = ProcFiles.read(logPath) else { return "(no log at \(logPath))" }
        return String(decoding: log, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Sends SIGTERM, waits up to `grace` seconds, then SIGKILLs its whole process group;
    /// waits for it to be gone. Safe to call more than once.
    func stop(grace: Double = 15) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = MonotonicClock.now() + UInt64(grace * 1e9)
        while isRunning, MonotonicClock.now() < deadline {
            usleep(10_000)
        }
        if isRunning {
            killpg(pid, SIGKILL)
            reap(blocking: true)
        }
    }

    private func reap(blocking: Bool) {
        guard exitStatus == nil else { return }
        var status: Int32 = 0
        let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        if result == pid || (result < 0 && errno == ECHILD) { exitStatus = status }
    }
}

import Foundation
import Glibc

/// Finds and kills worker processes that a previous daemon left behind.
///
/// Workers ask for `PR_SET_PDEATHSIG`, so they normally die with their daemon, even one
/// killed with SIGKILL. One can survive when it never reached its `prctl` (stopped or stuck
/// before `main`, such as in a library constructor), or when the daemon `exec`ed itself
/// (the parent-death signal is not sent on `exec`).
///
/// The rule, run once at start-up before this daemon spawns any worker: a process whose
/// `/proc/<pid>/exe` is this daemon's executable, whose arguments start with `--worker`
/// and name a `--parent-pid P`, is a leftover when
/// - its current parent (`/proc/<pid>/stat`; for a worker started by the
///   `skillhost-worker-init` of its PID namespace, the init's parent) is not `P`: only the death of its daemon can
///   change a process's parent, and the new parent is whatever reaper the kernel chose
///   (pid 1, or a subreaper, which in a container is often not pid 1): a process that was
///   alive next to the daemon, so never `P` itself; or
/// - `P` is this daemon's own pid: a worker of a previous program in this process (an
///   `exec`), since this daemon has started none yet.
///
/// A leftover and its process group get SIGKILL. Workers of another daemon that is still
/// running (its workers' parent is their `P`) are left alone; processes of other users
/// cannot be signalled anyway. The one miss: a leftover whose reaper died in turn and
/// whose next reaper reused the pid `P`.
package enum LeftoverWorkers {
    /// Kills the leftover workers of this executable; returns their pids. Call it before
    /// starting any worker.
    package static func killAll() -> [pid_t] {
        guard let ownExecutable = executable(of: "self"),
              let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return [] }
        var killed: [pid_t] = []
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid(),
                  let arguments = commandLine(of: pid), arguments.dropFirst().first == "--worker",
                  executable(of: entry) == ownExecutable,
                  let index = arguments.firstIndex(of: "--parent-pid"), index + 1 < arguments.count,
                  let intendedParent = pid_t(arguments[index + 1]),
                  let parent = daemonSideParent(of: pid), parent != intendedParent || intendedParent == getpid()
            else { continue }
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL)
            killed.append(pid)
        }
        return killed
    }

    /// `/proc/<pid>/<name>`, read to its end: the kernel reports a size of 0 for these
    /// files, which `FileManager.contents(atPath:)` and `String(contentsOfFile:)` believe.
    private static func procFile(_ pid: pid_t, _ name: String) -> Data? {
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/\(name)") else { return nil }
        defer { try? file.close() }
        guard let data = try? file.readToEnd(), !data.isEmpty else { return nil }
        return data
    }

    private static func commandLine(of pid: pid_t) -> [String]? {
        guard let data = procFile(pid, "cmdline") else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of `/proc/<entry>/exe`, without the " (deleted)" the kernel adds when the
    /// file was replaced since.
    private static func executable(of entry: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe") else { return nil }
        return target.hasSuffix(" (deleted)") ? String(target.dropLast(" (deleted)".count)) : target
    }

    /// The parent of the worker `pid` on the daemon's side: its parent, or, when that is the
    /// `skillhost-worker-init` of its PID namespace, the init's parent.
    private static func daemonSideParent(of pid: pid_t) -> pid_t? {
        guard let parent = parentPID(of: pid) else { return nil }
        guard executable(of: String(parent))?.hasSuffix("/" + WorkerLaunch.initFileName) == true else { return parent }
        return parentPID(of: parent)
    }

    /// The fourth field of `/proc/<pid>/stat`, after the parenthesised command name.
    private static func parentPID(of pid: pid_t) -> pid_t? {
        guard let data = procFile(pid, "stat"), case let text = String(decoding: data, as: UTF8.self),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }
}

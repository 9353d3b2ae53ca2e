import Foundation
import Glibc

/// Finds and kills worker processes that a previous daemon left behind.
///
/// Workers ask for `PR_SET_PDEATHSIG`, so they normally die with their daemon; one can
/// survive when the daemon died between `posix_spawn` and the worker's `prctl` (the worker
/// checks for that too), or was reparented to a subreaper. The rule: a process whose
/// `/proc/<pid>/exe` is this daemon's executable, whose arguments start with `--worker`,
/// and whose current parent is not the `--parent-pid` it was started for (its daemon is
/// gone: the parent is now init, a subreaper, or a new process with a reused pid) is a
/// leftover, and it and its process group get SIGKILL. Workers of another daemon that is
/// still running are left alone; processes of other users cannot be signalled anyway.
enum LeftoverWorkers {
    /// Kills the leftover workers of this executable; returns their pids.
    static func killAll() -> [pid_t] {
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
                  let parent = parentPID(of: pid), parent != intendedParent
            else { continue }
            _ = kill(-pid, SIGKILL)
            _ = kill(pid, SIGKILL)
            killed.append(pid)
        }
        return killed
    }

    private static func commandLine(of pid: pid_t) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The target of `/proc/<entry>/exe`, without the " (deleted)" the kernel adds when the
    /// file was replaced since.
    private static func executable(of entry: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/exe") else { return nil }
        return target.hasSuffix(" (deleted)") ? String(target.dropLast(" (deleted)".count)) : target
    }

    /// The fourth field of `/proc/<pid>/stat`, after the parenthesised command name.
    private static func parentPID(of pid: pid_t) -> pid_t? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        return fields.count > 1 ? pid_t(fields[1]) : nil
    }
}

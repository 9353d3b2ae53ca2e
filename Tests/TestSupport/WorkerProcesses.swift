import Foundation
import Glibc

/// The worker processes of a daemon, as the host's `/proc` shows them.
public enum WorkerProcesses {
    /// The pids of `daemon`'s workers (`--worker --parent-pid DAEMON`).
    public static func of(daemon: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(pid_t.init).filter { pid in
            let arguments = file(pid, "cmdline").split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.dropFirst().starts(with: ["--worker", "--parent-pid", "\(daemon)"])
        }
    }

    /// The pids of `daemon`'s workers that have a file whose path holds `sha256` mapped
    /// (the skill loaded).
    public static func loaded(of daemon: pid_t, sha256: String) -> [pid_t] {
        of(daemon: daemon).filter { String(decoding: file($0, "maps"), as: UTF8.self).contains(sha256) }
    }

    /// The host pid of the worker of `daemon` whose skill reported `pid` and
    /// `pidNamespace` (`reports-pid`): a sandboxed worker is pid 1 of a PID namespace of its
    /// own, which tells it from the others; nil when no worker matches.
    public static func hostPID(of daemon: pid_t, reportedPID pid: Int64, pidNamespace: String) -> pid_t? {
        of(daemon: daemon).first { worker in
            link(worker, "ns/pid") == pidNamespace && namespacePID(of: worker) == pid
        }
    }

    /// The worker process a pool knows by `pid`: the child of `skillhost-worker-init` when
    /// `pid` is that init (pid 1 of the worker's PID namespace), else `pid` itself.
    public static func worker(startedAs pid: pid_t) -> pid_t {
        guard link(pid, "exe")?.hasSuffix("/skillhost-worker-init") == true else { return pid }
        let children = String(decoding: file(pid, "task/\(pid)/children"), as: UTF8.self).split(separator: " ")
        return children.first.flatMap { pid_t($0) } ?? pid
    }

    /// The last pid of the `NSpid` line of `/proc/<pid>/status`: the pid in its own namespace.
    private static func namespacePID(of pid: pid_t) -> Int64? {
        let status = String(decoding: file(pid, "status"), as: UTF8.self)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("NSpid:") }) else { return nil }
        return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).last.flatMap { Int64($0) }
    }

    /// `/proc/<pid>/<name>`, read to its end: /proc reports a size of 0, which
    /// `FileManager.contents(atPath:)` and `String(contentsOfFile:)` believe.
    public static func file(_ pid: pid_t, _ name: String) -> Data {
        guard let file = FileHandle(forReadingAtPath: "/proc/\(pid)/\(name)") else { return Data() }
        defer { try? file.close() }
        return (try? file.readToEnd()) ?? Data()
    }

    private static func link(_ pid: pid_t, _ name: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/\(name)")
    }
}

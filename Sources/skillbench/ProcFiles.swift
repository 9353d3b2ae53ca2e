import Glibc
import SystemCalls

/// Reads of `/proc`, with plain `read(2)`: Foundation reads these files as empty (their size
/// is 0 until read).
enum ProcFiles {
    /// The whole content of `path`, or nil when it cannot be read (the process is gone).
    static func read(_ path: String) -> [UInt8]? {
        try? FileDescriptor.contents(ofFile: path)
    }

    /// The resident set size of process `pid` in bytes (`VmRSS`), or nil when it is gone.
    static func residentBytes(of pid: pid_t) -> Int? {
        guard let status = read("/proc/\(pid)/status") else { return nil }
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }

    /// The processor time (user and system) process `pid` and (unless told otherwise) its
    /// live children have used so far, in seconds, or nil when `pid` is gone. Resolution:
    /// one clock tick (10 ms).
    static func processorSeconds(of pid: pid_t, includingChildren: Bool = true) -> Double? {
        guard let own = ticks(of: pid) else { return nil }
        let children = includingChildren ? children(of: pid).compactMap(ticks(of:)).reduce(0, +) : 0
        return Double(own + children) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `utime + stime` of `/proc/<pid>/stat`, in clock ticks (all threads of the process).
    private static func ticks(of pid: pid_t) -> Int? {
        guard let stat = read("/proc/\(pid)/stat") else { return nil }
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": state is field 3, utime field 14 and stime field 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    /// The pids of the live (not zombie) children of `parent`.
    static func children(of parent: pid_t) -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var children: [pid_t] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let stat = read("/proc/\(pid)/stat") else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces, so read after its last ')'.
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { continue }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 1, fields[0] != "Z", pid_t(fields[1]) == parent else { continue }
            children.append(pid)
        }
        return children
    }

    /// Whether process `pid` has file `needle` mapped (a worker that loaded a skill file).
    static func maps(_ pid: pid_t, contain needle: String) -> Bool {
        guard let maps = read("/proc/\(pid)/maps") else { return false }
        return String(decoding: maps, as: UTF8.self).contains(needle)
    }

    /// Whether process `pid` exists, zombie or not (a zombie's parent has not reaped it yet).
    static func exists(_ pid: pid_t) -> Bool {
        access("/proc/\(pid)/stat", F_OK) == 0
    }
}

import Glibc
import SystemCalls

/// The process's own families, named as Prometheus's client libraries name them: resident
/// memory, open and maximum file descriptors, CPU seconds and start time, read from
/// `/proc/self` at every scrape. A file that cannot be read leaves its family without a sample.
public struct ProcessMetrics: MetricCollector {
    /// The collector of this process.
    public init() {}

    public var familyNames: [String] {
        ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
         "process_max_fds", "process_start_time_seconds"]
    }

    public func collect() -> [MetricFamilySnapshot] {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let stat = Self.statFields()
        let bootTime = Self.bootTime()
        func field(_ number: Int) -> Double? {
            stat.flatMap { number - 3 < $0.count ? Double($0[number - 3]) : nil }
        }
        let cpu = field(14).flatMap { user in field(15).map { (user + $0) / ticksPerSecond } }
        let start = field(22).flatMap { ticks in bootTime.map { $0 + ticks / ticksPerSecond } }
        var limit = rlimit()
        let maximumDescriptors = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : nil
        return [
            family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, cpu),
            family("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, field(24).map { $0 * pageSize }),
            family("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, field(23)),
            family("process_open_fds", "Number of open file descriptors.", .gauge, Self.openDescriptors()),
            family("process_max_fds", "Maximum number of open file descriptors.", .gauge, maximumDescriptors),
            family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, start),
        ]
    }

    private func family(_ name: String, _ help: String, _ kind: MetricKind, _ value: Double?) -> MetricFamilySnapshot {
        MetricFamilySnapshot(name: name, help: help, kind: kind, samples: value.map { [MetricSample(labels: [], value: $0)] } ?? [])
    }

    /// The fields of `/proc/self/stat` after the command name (which may hold spaces), from
    /// the third (`state`) on.
    private static func statFields() -> [Substring]? {
        guard let text = contents(of: "/proc/self/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    /// When the machine booted, in seconds since the epoch (`btime` of `/proc/stat`).
    private static func bootTime() -> Double? {
        guard let text = contents(of: "/proc/stat") else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("btime ") }
        return line.flatMap { Double($0.dropFirst("btime ".count)) }
    }

    /// The entries of `/proc/self/fd`, less the one that lists them.
    private static func openDescriptors() -> Double? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return Double(count - 1)
    }

    private static func contents(of path: String) -> String? {
        guard let descriptor = try? FileDescriptor.open(path, flags: O_RDONLY),
              let bytes = try? descriptor.readToEnd(upTo: 1 << 20)
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

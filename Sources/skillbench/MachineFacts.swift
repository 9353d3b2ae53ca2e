import Foundation
import Glibc
import JSON

/// What the numbers depend on: the processors, the kernel, the memory, and how busy the
/// machine was (the load average at the start and the end of the run).
enum MachineFacts {
    /// The facts, with `extra` (such as the Swift version, given by bench/run) added.
    static func collect(extra: [String: String]) -> [String: JSONValue] {
        var facts: [String: JSONValue] = [
            "processors_online": .int(Int64(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
            "cpu_model": .string(cpuModel()),
            "kernel": .string(kernel()),
            "memory_total": .string(memoryTotal()),
            "load_average_start": .string(loadAverage()),
        ]
        for (key, value) in extra { facts[key] = .string(value) }
        return facts
    }

    /// `/proc/loadavg`'s three averages.
    static func loadAverage() -> String {
        let text = ProcFiles.read("/proc/loadavg").map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func cpuModel() -> String {
        let text = ProcFiles.read("/proc/cpuinfo").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    private static func kernel() -> String {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(names.sysname)) \(field(names.release)) \(field(names.machine))"
    }

    private static func memoryTotal() -> String {
        let text = ProcFiles.read("/proc/meminfo").map { String(decoding: $0, as: UTF8.self) } ?? ""
        let kilobytes = text.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first }
            .flatMap { Int($0) } ?? 0
        return String(format: "%.1f GiB", Double(kilobytes) / 1_048_576)
    }
}

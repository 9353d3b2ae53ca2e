import SkillhostModel
import SkillhostProtocol

extension ValueKind<String> {
    /// Where a skill runs: `process` (a worker process of its own) or `inprocess` (a thread of the daemon).
    static let isolationMode = choice(["process", "inprocess"])
}

extension ValueKind<MemoryLimitParameter> {
    /// A worker's memory limit: `SIZE` in bytes or with a K, M or G suffix (binary: `512M`
    /// is 512 MiB), `none` for no limit, or `default` for the daemon's `memory_limit_bytes`.
    static let memoryLimit = ValueKind(valueName: "SIZE", expectation: "a size such as 512M or 2G, none or default") {
        text throws(ValueRefusal) in
        guard let limit = MemoryLimitParameter(commandLine: text) else {
            throw .explained("a memory limit is a size such as 512M or 2G (binary units), none or default; got \"\(text)\"")
        }
        if case .value(let bytes) = limit, !WorkerMemoryLimit.isAllowed(bytes) {
            let minimum = "\(WorkerMemoryLimit.minimumBytes >> 20)M"
            throw .explained("a memory limit of \(text) is below \(minimum), the least a worker may have: "
                             + "give \(minimum) or more, none (no limit) or default")
        }
        return limit
    }
}

extension MemoryLimitParameter {
    /// Reads `SIZE` (bytes, or with a K, M or G suffix, binary: `512M` = 512 MiB), `none`
    /// (no limit) or `default` (the daemon's `memory_limit_bytes`).
    init?(commandLine text: String) {
        switch text.lowercased() {
        case "default": self = .daemonDefault
        case "none": self = .bytes(0)
        default:
            let units: [(String, Int64)] = [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
                                            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30)]
            let lowered = text.lowercased()
            let (digits, unit) = units.first { lowered.hasSuffix($0.0) }
                .map { (String(lowered.dropLast($0.0.count)), $0.1) } ?? (lowered, 1)
            guard let count = Int64(digits), count >= 0 else { return nil }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            self = .bytes(bytes)
        }
    }
}

/// A skill named as `NAME` or `NAME@VERSION`, split.
struct SkillReference: Equatable, Sendable {
    /// The skill's name.
    let name: String
    /// The version, when one was named.
    let version: String?

    /// Splits `text` at its first `@`.
    init(_ text: String) {
        guard let at = text.firstIndex(of: "@") else {
            (name, version) = (text, nil)
            return
        }
        (name, version) = (String(text[..<at]), String(text[text.index(after: at)...]))
    }
}

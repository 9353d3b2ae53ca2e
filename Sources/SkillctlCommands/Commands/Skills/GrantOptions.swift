import SkillhostProtocol

/// The options that set a skill's grants, declared once for `skillctl grant` and
/// `skillctl install`.
enum GrantOptions {
    static let network = Option("--network", kind: .networkAccess, help: """
        the network its workers may reach: none (their own empty network namespace) or host (the host's \
        network, loopback included)
        """)
    static let readOnly = Option("--read-only", kind: .readOnlyPaths, help: """
        absolute paths, separated by colons, its workers may read (and execute) at the same place; none: \
        no path beyond the sandbox's own. The daemon's data directory cannot be granted.
        """)
    static let maxProcesses = Option("--max-processes", kind: .grantLimit, help: """
        the most processes and threads a worker may have at once, or default (the daemon's \
        sandbox_process_limit)
        """)
    static let cpuSeconds = Option("--cpu-seconds", kind: .grantLimit, help: """
        the CPU seconds one run may use before its worker is killed, or default (the daemon's \
        sandbox_cpu_seconds_per_run)
        """)

    /// Every grant option, in the order help lists them.
    static let all: [any DeclaresOption] = [network, readOnly, maxProcesses, cpuSeconds]

    /// The grants the options given set; those not given are left out.
    static func parameters(_ arguments: ParsedArguments) throws(UsageError) -> GrantParameters {
        GrantParameters(
            network: try arguments.value(network), readOnlyPaths: try arguments.value(readOnly),
            processLimit: try arguments.value(maxProcesses), cpuSecondsPerRun: try arguments.value(cpuSeconds))
    }
}

extension ValueKind<String> {
    /// The network a skill's workers may reach: `none` or `host`.
    static let networkAccess = choice(["none", "host"])
}

extension ValueKind<[String]> {
    /// Absolute paths separated by colons, or `none` for no path.
    static let readOnlyPaths = ValueKind(valueName: "PATHS", expectation: "absolute paths separated by colons, or none") {
        text throws(ValueRefusal) in
        guard text != "none" else { return [] }
        let paths = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if let relative = paths.first(where: { !$0.hasPrefix("/") }) {
            throw .explained("--read-only takes absolute paths separated by colons, or none; \"\(relative)\" in \"\(text)\" is not absolute")
        }
        return paths
    }
}

extension ValueKind<GrantLimitParameter> {
    /// A process or CPU limit: a whole number of at least 1, or `default`.
    static let grantLimit = ValueKind(valueName: "N|default", expectation: "a whole number of at least 1, or default") {
        text throws(ValueRefusal) in
        if text == "default" { return .daemonDefault }
        guard let value = Int(text), value >= 1 else { throw .unexpected }
        return .value(value)
    }
}

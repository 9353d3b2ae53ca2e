/// What a skill's worker may do beyond the host functions of its CSI context: the grants
/// an operator sets at install or later (`skillctl grant`), shown by `skillctl show`.
///
/// A `nil` limit means the daemon's default (`sandbox_process_limit`,
/// `sandbox_cpu_seconds_per_run`); the memory limit is the skill's `memory_limit_bytes`.
public struct SkillGrants: Sendable, Hashable, Codable {
    /// The network the worker may reach.
    public var network: NetworkAccess
    /// Absolute paths the worker may read (and execute), at the same place in its view.
    public var readOnlyPaths: [String]
    /// The most processes and threads the worker may have at once, its own included.
    public var processLimit: Int?
    /// The CPU time one run may use, in seconds; the worker is killed with SIGXCPU beyond it.
    public var cpuSecondsPerRun: Int?

    /// No network, no extra path, the daemon's default limits.
    public static let none = SkillGrants()

    /// Grants of the given values.
    public init(network: NetworkAccess = .none, readOnlyPaths: [String] = [], processLimit: Int? = nil,
                cpuSecondsPerRun: Int? = nil)
    {
        self.network = network
        self.readOnlyPaths = readOnlyPaths
        self.processLimit = processLimit
        self.cpuSecondsPerRun = cpuSecondsPerRun
    }
}

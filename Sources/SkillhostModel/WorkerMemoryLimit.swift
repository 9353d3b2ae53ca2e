/// The rule every worker memory limit follows, whoever sets it (the daemon's
/// `memory_limit_bytes`, a skill's own limit, `skillctl memory-limit`): 0 for no limit, or
/// at least ``minimumBytes``.
public enum WorkerMemoryLimit {
    /// The smallest limit other than none: 64 MiB, room for a worker's runtime and a skill.
    public static let minimumBytes: Int64 = 64 << 20

    /// Whether `bytes` is a limit a worker may have.
    public static func isAllowed(_ bytes: Int64) -> Bool {
        bytes == 0 || bytes >= minimumBytes
    }
}

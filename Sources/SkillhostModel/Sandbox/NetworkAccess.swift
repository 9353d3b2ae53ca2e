/// The network a skill's worker may reach (a grant).
public enum NetworkAccess: String, Sendable, CaseIterable, Codable {
    /// None at all: the worker has a network namespace of its own with no interface up, and
    /// Landlock refuses TCP. Inference goes over the worker's socket to the daemon, so a
    /// skill needs no network for it.
    case none
    /// The daemon's host network, as the daemon itself reaches it.
    case host
}

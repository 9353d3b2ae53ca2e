/// What a bearer token lets its holder do over HTTP.
///
/// `admin` implies the two others: an operator's token reaches everything the daemon
/// serves over HTTP. `run` and `metrics` are disjoint, so a Prometheus server's token runs
/// nothing and a client's token reads no metrics. Tokens themselves are managed only over
/// the Unix socket, by the daemon's own user, whatever the scope.
public enum TokenScope: String, Sendable, CaseIterable, Codable {
    /// Runs skills and reads their runs (the skills it may run can be narrowed).
    case run
    /// Everything: runs, metrics, the status page, the protocol's methods over HTTP.
    case admin
    /// Reads `/metrics`, nothing else.
    case metrics

    /// Whether a token of this scope may do what needs `needed`.
    public func grants(_ needed: TokenScope) -> Bool {
        self == needed || self == .admin
    }
}

/// What a schedule does when a fire comes while the work of its previous fire still runs,
/// as Kubernetes CronJobs offer.
public enum ScheduleConcurrency: String, Sendable, CaseIterable {
    /// Starts the new work anyway, alongside the old.
    case allow
    /// Skips the new fire, recording why.
    case forbid
    /// Cancels the old work, then starts the new.
    case replace
}

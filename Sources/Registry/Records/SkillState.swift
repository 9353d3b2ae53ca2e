/// Whether a skill takes new runs: its lifecycle state, kept in the registry so that it
/// outlives a restart.
public enum SkillState: String, Sendable, CaseIterable {
    /// New runs start. The state of a skill just installed.
    case enabled
    /// New runs are refused until `skills.enable`.
    case disabled
    /// New runs are refused, and a `skills.drain` waits for the runs in flight to end; then
    /// the skill is ``disabled``. After a restart no run is in flight: it refuses runs as a
    /// disabled skill does.
    case draining

    /// Whether new runs of a skill in this state start.
    public var acceptsRuns: Bool { self == .enabled }
}

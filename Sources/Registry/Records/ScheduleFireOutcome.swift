/// How one fire time of a schedule went.
public enum ScheduleFireOutcome: String, Sendable, CaseIterable {
    /// A run or a batch started.
    case started
    /// Nothing started, for the reason recorded (the concurrency policy, or an error).
    case skipped
    /// The time passed while the daemon was down, or while an earlier fire was late.
    case missed
}

import Foundation

/// One fire time of a schedule and what came of it.
public struct ScheduleFire: Sendable, Equatable {
    /// The time the cron expression named (for a trigger: when it was asked for).
    public var scheduledAt: Date
    /// When the scheduler acted on it.
    public var firedAt: Date
    /// What came of it.
    public var outcome: ScheduleFireOutcome
    /// The run it started, for a schedule with a fixed input.
    public var runID: Int64?
    /// The batch it started, for a schedule with an input file.
    public var batchID: Int64?
    /// Why it was skipped or missed.
    public var reason: String?

    /// Describes a fire.
    public init(scheduledAt: Date, firedAt: Date, outcome: ScheduleFireOutcome, runID: Int64? = nil,
                batchID: Int64? = nil, reason: String? = nil) {
        self.scheduledAt = scheduledAt
        self.firedAt = firedAt
        self.outcome = outcome
        self.runID = runID
        self.batchID = batchID
        self.reason = reason
    }
}

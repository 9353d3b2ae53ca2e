/// How many items of a batch are in each state.
public struct BatchCounts: Sendable, Equatable {
    /// Items waiting for an attempt.
    public var pending: Int
    /// Items with an attempt running.
    public var running: Int
    /// Items that succeeded.
    public var done: Int
    /// Items that failed for good.
    public var failed: Int
    /// Items ended by a cancel.
    public var cancelled: Int

    /// Describes the counts.
    public init(pending: Int = 0, running: Int = 0, done: Int = 0, failed: Int = 0, cancelled: Int = 0) {
        self.pending = pending
        self.running = running
        self.done = done
        self.failed = failed
        self.cancelled = cancelled
    }

    /// Every item.
    public var total: Int { pending + running + done + failed + cancelled }

    /// The items that have not ended.
    public var unfinished: Int { pending + running }
}

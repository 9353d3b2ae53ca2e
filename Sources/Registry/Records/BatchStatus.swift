/// Where a batch is in its life: `running → done | cancelled`.
///
/// A batch is `done` when every item has ended, whether it succeeded or failed: the
/// batch's counts say how many of each. It is `cancelled` when a caller cancelled it; the
/// items that had not ended by then end as ``BatchItemStatus/cancelled``.
public enum BatchStatus: String, Sendable, CaseIterable {
    /// Items are pending or running.
    case running
    /// Every item ended as done or failed.
    case done
    /// A caller cancelled the batch.
    case cancelled
}

/// Where one item of a batch is in its life: `pending → running → done | failed |
/// cancelled`, going back from `running` to `pending` for each retry and after a daemon
/// restart interrupted its run.
public enum BatchItemStatus: String, Sendable, CaseIterable {
    /// Waiting for its first attempt, or for a retry (not before the item's `notBefore`).
    case pending
    /// An attempt is running.
    case running
    /// An attempt succeeded; the item holds its output.
    case done
    /// The last attempt failed with an error that is not retried, or no retries were left.
    case failed
    /// The batch was cancelled before the item ended.
    case cancelled

    /// Whether the state is final: written once and never changed.
    public var isFinal: Bool {
        switch self {
        case .pending, .running: false
        case .done, .failed, .cancelled: true
        }
    }
}

import Foundation

/// What ``Registry/claimBatchItem(batchID:at:)`` found.
public enum BatchClaim: Sendable, Equatable {
    /// This item is now running; its attempt count includes the new attempt.
    case claimed(BatchItemRecord)
    /// Items are pending, but none may be tried before this instant.
    case notBefore(Date)
    /// No item is pending (or the batch is not running).
    case nothingPending
}

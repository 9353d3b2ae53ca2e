import Foundation
import SkillhostModel

/// How one attempt of a batch item ended, as ``Registry/finishBatchAttempt(batchID:index:runID:outcome:at:)``
/// records it.
public enum BatchAttemptOutcome: Sendable, Equatable {
    /// The run succeeded with this output (JSON text): the item is done.
    case succeeded(output: String)
    /// The run failed for good: the item has failed.
    case failed(kind: ErrorKind, message: String)
    /// The run failed in a way that can pass: the item is pending again, not before `notBefore`.
    case retry(kind: ErrorKind, message: String, notBefore: Date)
    /// The batch was cancelled: the item is cancelled.
    case cancelled(kind: ErrorKind, message: String)
}

import Foundation
import SkillhostModel

/// One item of a batch: its input, and where it is.
public struct BatchItemRecord: Sendable, Equatable {
    /// The batch it belongs to.
    public var batchID: Int64
    /// Its position in the batch, from 0.
    public var index: Int
    /// The input, as JSON text.
    public var input: String
    /// Where the item is in its life.
    public var status: BatchItemStatus
    /// How many attempts have started.
    public var attempts: Int
    /// The run of its latest attempt that ended.
    public var runID: Int64?
    /// The output of the run that succeeded, as JSON text.
    public var output: String?
    /// The kind of the latest failure (`timeout`, `skill_failed`, ...).
    public var errorKind: ErrorKind?
    /// What went wrong in the latest failure, for a person.
    public var errorMessage: String?
    /// A pending item is not tried again before this instant (the backoff of a retry).
    public var notBefore: Date?

    /// Describes an item.
    public init(
        batchID: Int64, index: Int, input: String, status: BatchItemStatus, attempts: Int = 0,
        runID: Int64? = nil, output: String? = nil, errorKind: ErrorKind? = nil, errorMessage: String? = nil,
        notBefore: Date? = nil
    ) {
        self.batchID = batchID
        self.index = index
        self.input = input
        self.status = status
        self.attempts = attempts
        self.runID = runID
        self.output = output
        self.errorKind = errorKind
        self.errorMessage = errorMessage
        self.notBefore = notBefore
    }
}

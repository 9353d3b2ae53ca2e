/// Which items of a batch to list: a filter, and one page in item order.
public struct BatchItemQuery: Sendable {
    /// The batch.
    public var batchID: Int64
    /// Only items in this state.
    public var status: BatchItemStatus?
    /// At most this many items (a negative limit reads as 0).
    public var limit: Int
    /// Only items with an index above this one: pass the last index of a page to get the next.
    public var after: Int?

    /// Describes a page of items.
    public init(batchID: Int64, status: BatchItemStatus? = nil, limit: Int = 1000, after: Int? = nil) {
        self.batchID = batchID
        self.status = status
        self.limit = limit
        self.after = after
    }
}

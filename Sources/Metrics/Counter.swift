import Synchronization

/// A count that only goes up. Atomic: runs on any thread increment it without a lock.
public final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    /// A counter at zero.
    public init() {}

    /// Adds `amount` (not negative).
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter only goes up")
        count.add(amount, ordering: .relaxed)
    }

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }
}

import Synchronization

/// A whole-number value that goes up and down, such as the runs in flight. Atomic: runs on
/// any thread change it without a lock.
public final class Gauge: Sendable {
    private let current = Atomic<Int>(0)

    /// A gauge at zero.
    public init() {}

    /// Adds `amount`, which may be negative.
    public func add(_ amount: Int) {
        current.add(amount, ordering: .relaxed)
    }

    /// Sets the value.
    public func set(_ value: Int) {
        current.store(value, ordering: .relaxed)
    }

    /// The value now.
    public var value: Int { current.load(ordering: .relaxed) }
}

/// A set of small non-negative integers (0-63): the values one cron field matches.
struct CronValueSet: Hashable, Sendable {
    private(set) var bits: UInt64 = 0

    /// Whether the set holds no value.
    var isEmpty: Bool { bits == 0 }

    /// Whether `value` is in the set.
    func contains(_ value: Int) -> Bool {
        (0..<64).contains(value) && bits & (1 << UInt64(value)) != 0
    }

    /// Adds `value` (0-63).
    mutating func insert(_ value: Int) {
        precondition((0..<64).contains(value), "a cron value set holds 0-63, not \(value)")
        bits |= 1 << UInt64(value)
    }

    /// The smallest value in the set that is at least `value`, if any.
    func first(atOrAfter value: Int) -> Int? {
        guard value < 64 else { return nil }
        let remaining = bits & (UInt64.max << UInt64(max(0, value)))
        return remaining == 0 ? nil : remaining.trailingZeroBitCount
    }

    /// The values in ascending order.
    var values: [Int] { (0..<64).filter(contains) }
}

import Synchronization

/// Observations counted in fixed buckets, with their sum and count. Lock-free: each bucket
/// and the sum are atomics, so runs that end together on different threads never wait for
/// one another. The count is the `+Inf` bucket's, so the two always agree;
/// a scrape that reads while an observation is recorded may see it counted and not yet in
/// the sum, and the next scrape sees it whole.
public final class Histogram: Sendable {
    /// The buckets' upper bounds, ascending; `+Inf` is implied.
    public let upperBounds: [Double]
    /// Observations at most each bound and not at the one before, then those above the last
    /// bound: not cumulative, a scrape sums them. Counters, because an `Atomic` cannot be an
    /// array's element.
    private let bucketCounts: [Counter]
    /// The sum's bit pattern, changed by compare-and-exchange.
    private let sumBits = Atomic<UInt64>(0.0.bitPattern)

    /// A histogram with buckets at `upperBounds` (ascending, finite).
    public init(upperBounds: [Double]) {
        precondition(zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 }, "bucket bounds must ascend")
        precondition(upperBounds.allSatisfy(\.isFinite), "bucket bounds must be finite; +Inf is implied")
        self.upperBounds = upperBounds
        bucketCounts = (0...upperBounds.count).map { _ in Counter() }
    }

    /// Records one observation.
    public func observe(_ value: Double) {
        bucketCounts[upperBounds.firstIndex { value <= $0 } ?? upperBounds.count].increment()
        var old = sumBits.load(ordering: .relaxed)
        while true {
            let (exchanged, original) = sumBits.compareExchange(
                expected: old, desired: (Double(bitPattern: old) + value).bitPattern, ordering: .relaxed)
            if exchanged { break }
            old = original
        }
    }

    /// The cumulative count at each bound, then at `+Inf`; the sum; the count.
    public var snapshot: (cumulativeCounts: [Int], sum: Double, count: Int) {
        var running = 0
        let cumulative = bucketCounts.map { bucket in
            running += bucket.value
            return running
        }
        return (cumulative, Double(bitPattern: sumBits.load(ordering: .relaxed)), running)
    }

    /// Bounds for durations in seconds, from 1 ms to 5 minutes.
    public static let durationBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]
}

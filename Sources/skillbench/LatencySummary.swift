/// The percentiles of a set of latency samples, in nanoseconds.
struct LatencySummary: Sendable {
    /// How many samples there were.
    var count: Int
    /// The median.
    var p50: Double
    /// The 99th percentile.
    var p99: Double

    /// Summarizes `samples` (nanoseconds); nil when there are none.
    init?(nanoseconds samples: [UInt64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        p50 = Double(Self.percentile(0.50, of: sorted))
        p99 = Double(Self.percentile(0.99, of: sorted))
    }

    /// The nearest-rank percentile `fraction` of sorted samples.
    private static func percentile(_ fraction: Double, of sorted: [UInt64]) -> UInt64 {
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

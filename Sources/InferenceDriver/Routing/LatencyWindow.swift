/// The latencies of an endpoint's most recent successful requests, for percentiles.
struct LatencyWindow {
    /// How many latencies are kept; older ones are overwritten.
    static let capacity = 200

    /// The kept latencies, in no particular order once the window has wrapped.
    private var samples: [Duration] = []
    /// Where the next latency goes once the window is full.
    private var nextSlot = 0

    /// Adds a latency, dropping the oldest when the window is full.
    mutating func record(_ latency: Duration) {
        if samples.count < Self.capacity {
            samples.append(latency)
        } else {
            samples[nextSlot] = latency
            nextSlot = (nextSlot + 1) % Self.capacity
        }
    }

    /// The nearest-rank percentile `fraction` (0.5 for the median) of the kept latencies,
    /// or `nil` when there are none.
    func percentile(_ fraction: Double) -> Duration? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

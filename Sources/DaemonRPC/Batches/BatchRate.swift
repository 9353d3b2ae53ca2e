import SystemCalls

/// The rate at which a batch's items end, as seen by one waiting client: items ended since
/// it began to wait, over the time it has waited.
struct BatchRate {
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let endedAtStart: Int

    /// Begins measuring when `ended` items have ended.
    init(ended: Int) {
        start = clock.now
        endedAtStart = ended
    }

    /// Items ended per second so far, given that `ended` items have ended now.
    func perSecond(ended: Int) -> Double {
        let seconds = (clock.now - start).timeInterval
        guard seconds > 0.05 else { return 0 }
        return Double(max(ended - endedAtStart, 0)) / seconds
    }
}

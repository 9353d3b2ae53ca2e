import SystemCalls

/// An instant after which waiting fails, and the error it fails with.
struct Deadline: Sendable {
    /// When waiting ends.
    var instant: ContinuousClock.Instant
    /// What a wait that reaches ``instant`` throws.
    var failure: HTTPTransportError

    /// The earlier of two deadlines (the first when they coincide).
    static func earlier(_ first: Deadline, _ second: Deadline) -> Deadline {
        second.instant < first.instant ? second : first
    }

    /// The time left, rounded up to whole milliseconds for `poll(2)`; 0 once passed.
    func remainingMilliseconds(now: ContinuousClock.Instant = .now) -> Int32 {
        (instant - now).millisecondsRoundedUp
    }
}

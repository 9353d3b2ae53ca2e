import Foundation

/// The system's real-time clock.
///
/// Sleeps wake in slices of at most ``maximumSlice`` to read the wall clock again, so a
/// sleep until 06:30 still ends near 06:30 when the system clock is set forwards or back
/// meanwhile (the monotonic clock that `Task.sleep` uses does not follow such changes).
public struct SystemSchedulerClock: SchedulerClock {
    /// The longest single wait before the wall clock is read again.
    public let maximumSlice: Duration

    /// Creates the clock; `maximumSlice` bounds how late a sleep can end after a change of
    /// the system clock.
    public init(maximumSlice: Duration = .seconds(30)) {
        precondition(maximumSlice > .zero, "maximumSlice must be positive")
        self.maximumSlice = maximumSlice
    }

    /// The current time of the system clock.
    public var now: Date { Date() }

    /// Sleeps until the system clock shows `deadline`.
    /// - Throws: `CancellationError` if the calling task is cancelled first.
    public func sleep(until deadline: Date) async throws {
        while true {
            try Task.checkCancellation()
            let remaining = deadline.timeIntervalSince(now)
            guard remaining > 0 else { return }
            try await Task.sleep(for: min(.milliseconds(Int64((remaining * 1000).rounded(.up))), maximumSlice))
        }
    }
}

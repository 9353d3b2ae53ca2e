/// A one-shot timer that is gone once cancelled: cancelling it (or dropping the last
/// reference to it) releases its handler at once.
///
/// `DispatchQueue.asyncAfter` with a `DispatchWorkItem` cannot do that: a cancelled item stays
/// queued, with everything its block captured, until its time comes. The runners arm a
/// deadline for every run (60 s by default), so at thousands of runs a second that kept
/// hundreds of thousands of finished runs' contexts alive (skillbench: +44 MiB of RSS over
/// 43,000 runs). A Dispatch timer source per run is released on cancel, but arming and
/// cancelling one costs the Dispatch manager thread a wake-up each time (6 % of the daemon's
/// CPU with 8 clients); so every timer is kept by one ``DeadlineClock`` thread instead.
///
/// Not a sleeping task: a deadline must fire on time even when blocking work (SQLite, a slow
/// client) holds the few threads of the Swift concurrency pool.
package final class DeadlineTimer: Sendable {
    private let clock: DeadlineClock
    private let id: UInt64

    /// Arms a timer that calls `handler` on a global queue once `delay` has passed, unless it
    /// is cancelled first.
    package init(after delay: Duration, clock: DeadlineClock = .shared, handler: @escaping @Sendable () -> Void) {
        self.clock = clock
        id = clock.schedule(after: delay, handler)
    }

    /// Disarms the timer and releases its handler; a handler already running goes on.
    package func cancel() {
        clock.cancel(id)
    }

    deinit {
        clock.cancel(id)
    }
}

import Dispatch

/// A one-shot Dispatch timer that is gone once cancelled: cancelling it (or dropping the last
/// reference to it) releases its handler at once.
///
/// `DispatchQueue.asyncAfter` with a `DispatchWorkItem` cannot do that: a cancelled item stays
/// queued, with everything its block captured, until its time comes. The runners arm a
/// deadline for every run (60 s by default), so at thousands of runs a second that kept
/// hundreds of thousands of finished runs' contexts alive (skillbench: +44 MiB of RSS over
/// 43,000 runs, against +2.8 MiB with this timer).
///
/// A Dispatch timer, not a sleeping task: a deadline must fire on time even when blocking
/// work (SQLite, a slow client) holds the few threads of the Swift concurrency pool.
final class DeadlineTimer: @unchecked Sendable {
    // @unchecked: the only stored property is a Dispatch source, set once in `init`; Dispatch
    // sources may be cancelled from any thread (libdispatch synchronises that itself), but
    // their Swift overlay does not declare them `Sendable`.
    private let source: any DispatchSourceTimer

    /// Arms a timer that calls `handler` on a global queue once `delay` has passed, unless it
    /// is cancelled first.
    init(after delay: Duration, handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        source.schedule(deadline: .now() + delay.dispatchInterval)
        source.setEventHandler(handler: handler)
        source.activate()
    }

    /// Disarms the timer and releases its handler; a handler already running goes on.
    func cancel() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}

import Foundation
import Glibc

extension Duration {
    /// The duration in seconds, for Foundation's `Date` arithmetic and Dispatch.
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// `timeInterval` seconds, to the nearest nanosecond.
    package init(timeInterval: TimeInterval) {
        self = .nanoseconds(Int64((timeInterval * 1e9).rounded()))
    }

    /// The duration in whole milliseconds, rounded up so that a wait for it never ends early
    /// (`poll`'s timeout); negative durations are 0, and durations past `Int32.max`
    /// milliseconds (about 24 days) are `Int32.max`.
    package var millisecondsRoundedUp: Int32 {
        guard self > .zero else { return 0 }
        let (seconds, attoseconds) = components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        let (wholeMilliseconds, remainder) = attoseconds.quotientAndRemainder(dividingBy: attosecondsPerMillisecond)
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return .max }
        let total = fromSeconds + wholeMilliseconds + (remainder > 0 ? 1 : 0)
        return Int32(clamping: total)
    }

    /// The duration in whole milliseconds, toward zero, for messages and JSON; past what an
    /// `Int64` holds (a setting or `timeout_ms` near `Int64.max` milliseconds, whose value as a
    /// `Double` rounds past it), `Int64.max` or `Int64.min`.
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (total, overflowAgain) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !overflow && !overflowAgain else { return seconds < 0 ? .min : .max }
        return total
    }

    /// A `timespec` of the duration, to the nanosecond below, for `clock_nanosleep`,
    /// `pthread_cond_timedwait` and the like; the platform's `Duration(_: timespec)` converts back.
    package var timespec: timespec {
        let (seconds, nanoseconds) = wholeSeconds(andFractionIn: 1_000_000_000)
        return Glibc.timespec(tv_sec: Int(seconds), tv_nsec: Int(nanoseconds))
    }

    /// A `timeval` of the duration, to the microsecond below, for `setsockopt(SO_RCVTIMEO)` and
    /// `setitimer`; the platform's `Duration(_: timeval)` converts back.
    package var timeval: timeval {
        let (seconds, microseconds) = wholeSeconds(andFractionIn: 1_000_000)
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(microseconds))
    }

    /// The duration as whole seconds and a fraction of a second in `unitsPerSecond`, both
    /// rounded down, so that the fraction is in `0..<unitsPerSecond` as C's time structures want.
    private func wholeSeconds(andFractionIn unitsPerSecond: Int64) -> (seconds: Int64, fraction: Int64) {
        let (seconds, attoseconds) = components
        let attosecondsPerUnit = 1_000_000_000_000_000_000 / unitsPerSecond
        var fraction = attoseconds / attosecondsPerUnit
        if fraction * attosecondsPerUnit > attoseconds { fraction -= 1 }
        return fraction < 0 ? (seconds - 1, fraction + unitsPerSecond) : (seconds, fraction)
    }
}

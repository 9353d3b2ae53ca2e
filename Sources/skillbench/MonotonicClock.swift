import Glibc

/// Nanoseconds of `CLOCK_MONOTONIC`: the cheapest honest clock for timing one round trip
/// (a vDSO call, no allocation), the same clock the C floor client uses.
enum MonotonicClock {
    /// The current reading, in nanoseconds.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Seconds elapsed since `start`, a reading of ``now()``.
    static func seconds(since start: UInt64) -> Double {
        Double(now() - start) / 1e9
    }
}

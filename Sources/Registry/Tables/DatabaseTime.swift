import Foundation

/// How the registry stores instants and durations: INTEGER microseconds (since the Unix epoch
/// for instants). Integers keep exact values, sort and compare in SQL, and round-trip a `Date`
/// well below the millisecond.
enum DatabaseTime {
    /// `date` as whole microseconds since 1970-01-01T00:00:00Z, rounded to the nearest.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The instant `microseconds` after 1970-01-01T00:00:00Z.
    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// `duration` as whole microseconds, truncated toward zero.
    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// A duration of `microseconds`.
    static func duration(microseconds: Int64) -> Duration {
        .microseconds(microseconds)
    }
}

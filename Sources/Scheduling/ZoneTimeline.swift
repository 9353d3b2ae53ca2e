import Foundation

/// A time zone seen as consecutive spans of constant UTC offset, in whole seconds since
/// the Unix epoch. Inside a span, local time is `instant + offset` and runs monotonically;
/// between spans it jumps forward (a gap) or back (a repeated interval).
struct ZoneTimeline {
    /// An interval of instants with one UTC offset.
    struct Span {
        /// The first instant considered (the span may have begun earlier).
        var start: Int64
        /// The first instant of the next span, or `nil` if the offset never changes again.
        var end: Int64?
        /// Seconds east of UTC.
        var offset: Int64

        /// The local time of `start`.
        var localStart: Int64 { start + offset }
        /// The local time of `end`: the first local time past this span.
        var localEnd: Int64? { end.map { $0 + offset } }
    }

    let timeZone: TimeZone

    /// The span holding `instant`, considered from `instant` on.
    func span(containing instant: Int64) -> Span {
        let date = Date(timeIntervalSince1970: TimeInterval(instant))
        let end = timeZone.nextDaylightSavingTimeTransition(after: date)
            .map { Int64($0.timeIntervalSince1970.rounded()) }
        return Span(start: instant, end: end.map { max($0, instant + 1) },
                    offset: Int64(timeZone.secondsFromGMT(for: date)))
    }

    /// The span after `span`, or `nil` if `span` lasts forever.
    func span(after span: Span) -> Span? {
        span.end.map(self.span(containing:))
    }
}

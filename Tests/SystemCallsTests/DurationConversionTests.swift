import Foundation
import Glibc
import SystemCalls
import Testing

@Suite("Duration conversions")
struct DurationConversionTests {
    static let durations: [Duration] = [
        .zero, .nanoseconds(1), .microseconds(1), .milliseconds(1500), .seconds(86_400 * 365) + .nanoseconds(999_999_999),
        .nanoseconds(-1), .milliseconds(-1500), .seconds(-3),
    ]

    @Test("timespec round-trips to the nanosecond, with tv_nsec in 0..<1e9", arguments: durations)
    func timespecRoundTrip(duration: Duration) {
        let value = duration.timespec
        #expect((0..<1_000_000_000).contains(value.tv_nsec))
        #expect(Duration(value) == duration)
    }

    @Test("timeval round-trips to the microsecond, with tv_usec in 0..<1e6")
    func timevalRoundTrip() {
        for duration in Self.durations {
            let value = duration.timeval
            #expect((0..<1_000_000).contains(value.tv_usec))
            let truncated = Duration(value)
            #expect(truncated <= duration && duration - truncated < .microseconds(1))
        }
        #expect(Duration.milliseconds(2500).timeval.tv_sec == 2 && Duration.milliseconds(2500).timeval.tv_usec == 500_000)
        #expect(Duration(Glibc.timeval(tv_sec: 1, tv_usec: 250)) == .seconds(1) + .microseconds(250))
    }

    @Test("TimeInterval round-trips", arguments: [0, 0.000_000_001, 1.5, -2.25, 86_400.123_456_789])
    func timeIntervalRoundTrip(seconds: TimeInterval) {
        let duration = Duration(timeInterval: seconds)
        #expect(abs(duration.timeInterval - seconds) < 1e-9)
        #expect(Duration(timeInterval: duration.timeInterval) == duration)
    }

    @Test("milliseconds are rounded up, so a wait never ends early, and clamped for poll")
    func milliseconds() {
        #expect(Duration.zero.millisecondsRoundedUp == 0)
        #expect(Duration.nanoseconds(-5).millisecondsRoundedUp == 0)
        #expect(Duration.nanoseconds(1).millisecondsRoundedUp == 1)
        #expect(Duration.milliseconds(1).millisecondsRoundedUp == 1)
        #expect((Duration.milliseconds(1) + .nanoseconds(1)).millisecondsRoundedUp == 2)
        #expect(Duration.seconds(90).millisecondsRoundedUp == 90_000)
        #expect(Duration.seconds(30 * 86_400).millisecondsRoundedUp == Int32.max)
        #expect(Duration.seconds(Int64.max).millisecondsRoundedUp == Int32.max)
    }

    @Test("whole milliseconds go toward zero, and past Int64 clamp instead of trapping")
    func wholeMilliseconds() {
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect((Duration.milliseconds(2) + .nanoseconds(999_999)).wholeMilliseconds == 2)
        #expect((Duration.milliseconds(-2) - .nanoseconds(999_999)).wholeMilliseconds == -2)
        #expect(Duration.milliseconds(Int64.max).wholeMilliseconds == Int64.max)
        #expect(Duration.milliseconds(Int64.max - 1).wholeMilliseconds == Int64.max - 1)
        #expect(Duration.milliseconds(Int64.min).wholeMilliseconds == Int64.min)
        #expect(Duration.seconds(Int64.max).wholeMilliseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).wholeMilliseconds == Int64.min)
    }
}

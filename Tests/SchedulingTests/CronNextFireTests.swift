import Foundation
import Scheduling
import Testing

/// Next fire times away from daylight-saving transitions. 2026-01-01 is a Thursday.
@Suite struct CronNextFireTests {
    static let newYear = "2026-01-01T00:00:00Z"

    static let table: [FireCase] = [
        // Wildcards, lists, ranges, steps.
        FireCase("* * * * *", after: newYear, ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"]),
        FireCase("*/15 * * * *", after: newYear,
                 ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z"]),
        FireCase("1-30/10 * * * *", after: newYear,
                 ["2026-01-01T00:01:00Z", "2026-01-01T00:11:00Z", "2026-01-01T00:21:00Z", "2026-01-01T01:01:00Z"]),
        FireCase("5/20 * * * *", after: newYear,
                 ["2026-01-01T00:05:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:05:00Z"]),
        FireCase("0-10/5,50 * * * *", after: newYear,
                 ["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-01-01T00:50:00Z", "2026-01-01T01:00:00Z"]),
        FireCase("0,30 9,17 * * *", after: newYear,
                 ["2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z", "2026-01-01T17:00:00Z", "2026-01-01T17:30:00Z",
                  "2026-01-02T09:00:00Z"]),
        FireCase("0 9-11 * * *", after: newYear,
                 ["2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z", "2026-01-02T09:00:00Z"]),
        FireCase("  0   12 * *\t* ", after: newYear, ["2026-01-01T12:00:00Z", "2026-01-02T12:00:00Z"]),
        FireCase("59 23 31 12 *", after: newYear, ["2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"]),
        // Names, in any case; 0 and 7 are Sunday.
        FireCase("30 6 * * MON-FRI", after: newYear,
                 ["2026-01-01T06:30:00Z", "2026-01-02T06:30:00Z", "2026-01-05T06:30:00Z"]),
        FireCase("0 12 * * sat,Sun", after: newYear,
                 ["2026-01-03T12:00:00Z", "2026-01-04T12:00:00Z", "2026-01-10T12:00:00Z"]),
        FireCase("0 0 1 feb-Mar *", after: newYear,
                 ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2027-02-01T00:00:00Z"]),
        FireCase("0 0 * * 7", after: newYear, ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
        FireCase("0 0 * * 5-7", after: newYear,
                 ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-09T00:00:00Z"]),
        FireCase("0 0 * * 1-5/2", after: newYear,
                 ["2026-01-02T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z", "2026-01-09T00:00:00Z"]),
        // Macros; `after` is itself a fire time of most, and is never returned.
        FireCase("@yearly", after: newYear, ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
        FireCase("@annually", after: newYear, ["2027-01-01T00:00:00Z"]),
        FireCase("@monthly", after: newYear, ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
        FireCase("@weekly", after: newYear, ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
        FireCase("@daily", after: newYear, ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
        FireCase("@MIDNIGHT", after: newYear, ["2026-01-02T00:00:00Z"]),
        FireCase("@hourly", after: newYear, ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
        // Vixie's day rule: both day fields restricted, so either matches.
        FireCase("0 0 13 * FRI", after: newYear,
                 ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z",
                  "2026-01-23T00:00:00Z", "2026-01-30T00:00:00Z", "2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z"]),
        FireCase("0 0 1 1 MON", after: newYear,
                 ["2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z", "2026-01-26T00:00:00Z",
                  "2027-01-01T00:00:00Z", "2027-01-04T00:00:00Z"]),
        FireCase("0 0 29 2 1", after: newYear,
                 ["2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-16T00:00:00Z", "2026-02-23T00:00:00Z",
                  "2027-02-01T00:00:00Z"]),
        FireCase("0 0 1 * 0-6", after: newYear, ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
        FireCase("0 0 30 2 MON", after: newYear, ["2026-02-02T00:00:00Z"]),
        // One day field starts with `*`, so both must match: odd days that are Mondays.
        FireCase("0 0 */2 * MON", after: newYear,
                 ["2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-23T00:00:00Z"]),
        // Leap years and month ends.
        FireCase("0 0 29 2 *", after: newYear, ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
        FireCase("0 0 29 2 *", after: "2100-01-01T00:00:00Z", ["2104-02-29T00:00:00Z"]),
        FireCase("0 0 29 2 *", after: "2399-03-01T00:00:00Z", ["2400-02-29T00:00:00Z"]),
        FireCase("0 0 29 2 */7", after: "2089-01-01T00:00:00Z", ["2128-02-29T00:00:00Z"]),
        FireCase("0 0 31 * *", after: newYear,
                 ["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z",
                  "2026-08-31T00:00:00Z", "2026-10-31T00:00:00Z", "2026-12-31T00:00:00Z"]),
        FireCase("0 0 30 * *", after: newYear, ["2026-01-30T00:00:00Z", "2026-03-30T00:00:00Z"]),
        // A zone without a transition in sight; `after` with fractions and on a fire time.
        FireCase("30 6 * * MON-FRI", in: "Europe/Berlin", after: newYear,
                 ["2026-01-01T05:30:00Z", "2026-01-02T05:30:00Z", "2026-01-05T05:30:00Z"]),
        FireCase("0 9 * * *", in: "Asia/Kolkata", after: newYear, ["2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z"]),
        FireCase("* * * * *", after: "2026-01-01T00:01:00Z", ["2026-01-01T00:02:00Z"]),
    ]

    @Test(arguments: table)
    func nextFireTimes(_ row: FireCase) throws {
        #expect(try row.computed() == row.expected)
    }

    @Test func fractionalSecondsCountAsAfter() throws {
        let cron = try CronExpression("* * * * *")
        let start = instant("2026-01-01T00:00:59Z")
        #expect(cron.nextFire(after: start.addingTimeInterval(0.5), in: zone("UTC")) == instant("2026-01-01T00:01:00Z"))
        #expect(cron.nextFire(after: start.addingTimeInterval(1.0), in: zone("UTC")) == instant("2026-01-01T00:02:00Z"))
        #expect(cron.nextFire(after: start.addingTimeInterval(0.999), in: zone("UTC")) == instant("2026-01-01T00:01:00Z"))
    }

    @Test func countZeroGivesNothing() throws {
        #expect(try CronExpression("@daily").nextFireTimes(after: instant(Self.newYear), in: zone("UTC"), count: 0).isEmpty)
    }

    @Test func beforeTheEpochWorks() throws {
        let fires = try CronExpression("0 0 29 2 *").nextFireTimes(after: instant("1899-01-01T00:00:00Z"),
                                                                    in: zone("UTC"), count: 2)
        #expect(utcTexts(fires) == ["1904-02-29T00:00:00Z", "1908-02-29T00:00:00Z"])
    }

    /// Rare expressions are found by skipping months and days, not minutes: a thousand
    /// searches across leap-year gaps take well under a second even in a debug build.
    @Test func rareExpressionsAreQuick() throws {
        let leapDayOnSunday = try CronExpression("0 0 29 2 */7")
        let leapDayOrFebruaryMonday = try CronExpression("0 0 29 2 1")
        let berlin = zone("Europe/Berlin")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<500 {
                #expect(leapDayOnSunday.nextFire(after: instant("2089-01-01T00:00:00Z"), in: berlin) != nil)
                #expect(leapDayOrFebruaryMonday.nextFire(after: instant("2026-03-01T00:00:00Z"), in: berlin) != nil)
            }
        }
        #expect(elapsed < .seconds(30), "1000 rare searches took \(elapsed)")
    }
}

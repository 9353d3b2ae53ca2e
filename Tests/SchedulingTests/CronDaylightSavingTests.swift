import Foundation
import Scheduling
import Testing

/// Daylight-saving transitions, by Debian cron's rules. In 2026 Europe/Berlin springs
/// forward at 01:00Z on March 29 (02:00 CET becomes 03:00 CEST) and falls back at 01:00Z
/// on October 25 (03:00 CEST becomes 02:00 CET); America/New_York springs forward at 07:00Z
/// on March 8 (02:00 EST becomes 03:00 EDT) and falls back at 06:00Z on November 1 (02:00
/// EDT becomes 01:00 EST).
@Suite struct CronDaylightSavingTests {
    static let table: [FireCase] = [
        // Fixed time in the spring-forward gap: once, at the first moment after it.
        FireCase("30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
                 ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]),
        FireCase("0,30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
                 ["2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"]),
        FireCase("30 2,3 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
                 ["2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"]),
        FireCase("30 2 * * *", in: "America/New_York", after: "2026-03-07T12:00:00Z",
                 ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"]),
        FireCase("30 2 * * *", in: "America/New_York", after: "2026-03-08T06:59:59Z", ["2026-03-08T07:00:00Z"]),
        FireCase("30 2 * * *", in: "America/New_York", after: "2026-03-08T07:00:00Z", ["2026-03-09T06:30:00Z"]),
        // Fixed time in the repeated hour of a fall-back: once, at the first (summer) pass.
        FireCase("30 2 * * *", in: "Europe/Berlin", after: "2026-10-24T12:00:00Z",
                 ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),
        FireCase("30 2 * * *", in: "Europe/Berlin", after: "2026-10-25T00:30:00Z", ["2026-10-26T01:30:00Z"]),
        FireCase("30 1 * * *", in: "America/New_York", after: "2026-10-31T12:00:00Z",
                 ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]),
        FireCase("30 1 * * *", in: "America/New_York", after: "2026-11-01T06:10:00Z", ["2026-11-02T06:30:00Z"]),
        FireCase("0 1,2 * * *", in: "America/New_York", after: "2026-11-01T04:00:00Z",
                 ["2026-11-01T05:00:00Z", "2026-11-01T07:00:00Z", "2026-11-02T06:00:00Z"]),
        // Wildcard hour: real elapsed time through both transitions.
        FireCase("*/15 * * * *", in: "Europe/Berlin", after: "2026-03-29T00:30:00Z",
                 ["2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"]),
        FireCase("*/15 * * * *", in: "Europe/Berlin", after: "2026-10-25T00:30:00Z",
                 ["2026-10-25T00:45:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:15:00Z", "2026-10-25T01:30:00Z",
                  "2026-10-25T01:45:00Z", "2026-10-25T02:00:00Z"]),
        FireCase("0 * * * *", in: "Europe/Berlin", after: "2026-03-28T23:30:00Z",
                 ["2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"]),
        FireCase("0 * * * *", in: "Europe/Berlin", after: "2026-10-24T23:30:00Z",
                 ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]),
        FireCase("*/15 * * * *", in: "America/New_York", after: "2026-03-08T06:30:00Z",
                 ["2026-03-08T06:45:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"]),
        FireCase("*/15 * * * *", in: "America/New_York", after: "2026-11-01T05:30:00Z",
                 ["2026-11-01T05:45:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:15:00Z", "2026-11-01T06:30:00Z",
                  "2026-11-01T06:45:00Z", "2026-11-01T07:00:00Z"]),
        FireCase("0 * * * *", in: "America/New_York", after: "2026-03-08T05:30:00Z",
                 ["2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"]),
        // 01:00 EDT, 01:00 EST, 02:00 EST.
        FireCase("0 * * * *", in: "America/New_York", after: "2026-11-01T04:30:00Z",
                 ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"]),
        // Wildcard minute, fixed hour: by the wall clock, so none in the gap, both passes at a fall-back.
        FireCase("*/30 2 * * *", in: "Europe/Berlin", after: "2026-03-28T12:00:00Z",
                 ["2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z"]),
        FireCase("*/30 2 * * *", in: "Europe/Berlin", after: "2026-10-24T12:00:00Z",
                 ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z",
                  "2026-10-26T01:00:00Z"]),
        // A 30-minute transition: Lord Howe Island falls back from +11:00 to +10:30 at 15:00Z
        // on 2026-04-04 (02:00 local becomes 01:30) and springs forward at 15:30Z on 2026-10-03.
        FireCase("45 1 * * *", in: "Australia/Lord_Howe", after: "2026-04-04T12:00:00Z",
                 ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"]),
        FireCase("15 2 * * *", in: "Australia/Lord_Howe", after: "2026-10-03T12:00:00Z",
                 ["2026-10-03T15:30:00Z", "2026-10-04T15:15:00Z"]),
        FireCase("*/30 * * * *", in: "Australia/Lord_Howe", after: "2026-04-04T14:00:00Z",
                 ["2026-04-04T14:30:00Z", "2026-04-04T15:00:00Z", "2026-04-04T15:30:00Z"]),
    ]

    @Test(arguments: table)
    func nextFireTimes(_ row: FireCase) throws {
        #expect(try row.computed() == row.expected)
    }

    /// The 25-hour fall-back day in New York, from midnight EDT to midnight EST: a
    /// quarter-hourly job fires 100 times, 15 real minutes apart; a daily fixed job once.
    @Test func fallBackDayCounts() throws {
        let newYork = zone("America/New_York")
        let start = instant("2026-11-01T04:00:00Z")
        let end = instant("2026-11-02T05:00:00Z")
        let quarterly = try CronExpression("*/15 * * * *").nextFireTimes(after: start, in: newYork, count: 100)
        #expect(quarterly.count == 100)
        #expect(quarterly.last == end)
        #expect(zip(quarterly, quarterly.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 900 })
        let daily = try CronExpression("30 1 * * *").nextFireTimes(after: start, in: newYork, count: 2)
        #expect(utcTexts(daily) == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
    }

    /// The 23-hour spring-forward day in Berlin: 92 quarter hours, and an hourly job fires 23 times.
    @Test func springForwardDayCounts() throws {
        let berlin = zone("Europe/Berlin")
        let start = instant("2026-03-28T23:00:00Z")
        let end = instant("2026-03-29T22:00:00Z")
        let quarterly = try CronExpression("*/15 * * * *").nextFireTimes(after: start, in: berlin, count: 92)
        #expect(quarterly.last == end)
        #expect(zip(quarterly, quarterly.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 900 })
        let hourly = try CronExpression("@hourly").nextFireTimes(after: start, in: berlin, count: 23)
        #expect(hourly.last == end)
    }

    /// Across a whole year with both transitions, a daily job at a fixed time fires exactly
    /// once a day, whichever zone.
    @Test(arguments: ["Europe/Berlin", "America/New_York"], ["30 2 * * *", "30 1 * * *", "0 3 * * *"])
    func fixedDailyJobFiresOncePerDay(zoneName: String, expression: String) throws {
        let timeZone = zone(zoneName)
        let fires = try CronExpression(expression).nextFireTimes(after: instant("2025-12-31T12:00:00Z"),
                                                                  in: timeZone, count: 365)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let days = Set(fires.map { calendar.dateComponents([.year, .month, .day], from: $0) })
        #expect(days.count == 365)
        #expect(fires.allSatisfy { calendar.component(.year, from: $0) == 2026 })
    }
}

import Foundation
import Scheduling
import Testing

@Suite struct CronParsingTests {
    /// Expressions that must be refused, with the message a user sees.
    static let refusals: [(text: String, field: CronField?, message: String)] = [
        ("0 0 * *", nil, "expected 5 fields, got 4 (minute hour day-of-month month day-of-week, e.g. \"30 6 * * MON-FRI\")"),
        ("0 0 * * * *", nil, "expected 5 fields, got 6 (minute hour day-of-month month day-of-week, e.g. \"30 6 * * MON-FRI\")"),
        ("", nil, "expected 5 fields, got 0 (minute hour day-of-month month day-of-week, e.g. \"30 6 * * MON-FRI\")"),
        ("@reboot", nil, "unknown macro \"@reboot\": expected one of @yearly @annually @monthly @weekly @daily @midnight @hourly"),
        ("60 * * * *", .minute, "minute: 60 is out of range 0-59"),
        ("x * * * *", .minute, "minute: expected a number 0-59, got \"x\""),
        ("+5 * * * *", .minute, "minute: expected a number 0-59, got \"+5\""),
        ("*/0 * * * *", .minute, "minute: step \"0\" in \"*/0\" must be a whole number from 1 to 60"),
        ("*/61 * * * *", .minute, "minute: step \"61\" in \"*/61\" must be a whole number from 1 to 60"),
        ("1/2/3 * * * *", .minute, "minute: \"1/2/3\" has more than one /: write RANGE/STEP, e.g. */15"),
        ("1,,2 * * * *", .minute, "minute: empty item in the list \"1,,2\""),
        ("*-5 * * * *", .minute, "minute: expected a number 0-59, got \"*\""),
        ("0 24 * * *", .hour, "hour: 24 is out of range 0-23"),
        ("0 17-9 * * *", .hour, "hour: range 17-9 runs backwards; write 9-17 or a list"),
        ("0 0 32 * *", .dayOfMonth, "day of month: 32 is out of range 1-31"),
        ("0 0 0 * *", .dayOfMonth, "day of month: 0 is out of range 1-31"),
        ("0 0 1 13 *", .month, "month: 13 is out of range 1-12"),
        ("0 0 1 FOO *", .month, "month: expected a number 1-12 or a name JAN-DEC, got \"FOO\""),
        ("0 0 1 JANUARY *", .month, "month: expected a number 1-12 or a name JAN-DEC, got \"JANUARY\""),
        ("0 0 * * 8", .dayOfWeek, "day of week: 8 is out of range 0-7"),
        ("0 0 * * FUNDAY", .dayOfWeek, "day of week: expected a number 0-7 or a name SUN-SAT, got \"FUNDAY\""),
        ("0 0 30 2 *", .dayOfMonth, "day of month: \"30\" never falls in month \"2\", whose months have at most 29 days, "
            + "so the expression would never fire"),
        ("0 0 31 4,6,9,11 *", .dayOfMonth, "day of month: \"31\" never falls in month \"4,6,9,11\", whose months have "
            + "at most 30 days, so the expression would never fire"),
        ("0 0 31 FEB */7", .dayOfMonth, "day of month: \"31\" never falls in month \"FEB\", whose months have at most "
            + "29 days, so the expression would never fire"),
    ]

    @Test(arguments: refusals.indices)
    func refusesWithTheFieldAndWhatWasExpected(_ index: Int) {
        let (text, field, message) = Self.refusals[index]
        #expect {
            _ = try CronExpression(text)
        } throws: { error in
            guard let error = error as? CronParseError else { return false }
            return error.field == field && error.description == message
        }
    }

    @Test func macrosEqualTheirFiveFieldForms() throws {
        #expect(try CronExpression("@yearly") == CronExpression("0 0 1 1 *"))
        #expect(try CronExpression("@Annually") == CronExpression("0 0 1 JAN *"))
        #expect(try CronExpression("@monthly") == CronExpression("0 0 1 * *"))
        #expect(try CronExpression("@weekly") == CronExpression("0 0 * * SUN"))
        #expect(try CronExpression("@daily") == CronExpression("0 0 * * *"))
        #expect(try CronExpression("@midnight") == CronExpression("0 0 * * *"))
        #expect(try CronExpression("@hourly") == CronExpression("0 * * * *"))
        #expect(try CronExpression("@hourly") == CronExpression("0 * * * 0-6"))
        // Same fields, different day rule: the first fires daily (either day field matches).
        #expect(try CronExpression("0 0 1 * 0-6") != CronExpression("0 0 1 * *"))
        // Same times in a year without transitions, different behaviour across them.
        #expect(try CronExpression("0 0-23 * * *") != CronExpression("@hourly"))
    }

    @Test func sundayIsZeroOrSeven() throws {
        #expect(try CronExpression("0 0 * * 7") == CronExpression("0 0 * * 0"))
        #expect(try CronExpression("0 0 * * 0-7") == CronExpression("0 0 * * *"))
        #expect(try CronExpression("0 0 * * 0-7").text == "0 0 * * 0-7")
    }

    @Test func wildcardJobsAreThoseWithAStarInMinuteOrHour() throws {
        #expect(try CronExpression("*/15 * * * *").firesByElapsedTime)
        #expect(try CronExpression("0 * * * *").firesByElapsedTime)
        #expect(try CronExpression("@hourly").firesByElapsedTime)
        #expect(try CronExpression("* 2 * * *").firesByElapsedTime)
        #expect(try !CronExpression("30 2 * * *").firesByElapsedTime)
        #expect(try !CronExpression("0 0-23 * * *").firesByElapsedTime)
        #expect(try !CronExpression("@daily").firesByElapsedTime)
    }

    @Test func timeZonesByIANAName() throws {
        #expect(try CronTimeZone.named("Europe/Berlin").identifier == "Europe/Berlin")
        #expect(throws: UnknownTimeZoneError(identifier: "Europe/Atlantis")) {
            try CronTimeZone.named("Europe/Atlantis")
        }
        #expect(throws: UnknownTimeZoneError(identifier: "")) { try CronTimeZone.named("") }
        #expect(UnknownTimeZoneError(identifier: "Mars/Olympus").description.hasPrefix("unknown time zone \"Mars/Olympus\""))
    }
}

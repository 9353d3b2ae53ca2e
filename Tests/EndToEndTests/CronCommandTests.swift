import Testing
import TestSupport

/// `skillctl cron next`, the real binary: what a user runs to check an expression.
@Suite("skillctl cron next")
struct CronCommandTests {
    @Test("prints the next fire times in the zone, with its UTC offset, following the spring-forward rule")
    func nextFireTimes() async throws {
        let result = try await DaemonHarness.skillctl(arguments: [
            "cron", "next", "30 2 * * *", "--tz", "Europe/Berlin", "--after", "2026-03-28T12:00:00Z", "--count", "3",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == """
            2026-03-29T03:00:00+02:00
            2026-03-30T02:30:00+02:00
            2026-03-31T02:30:00+02:00

            """)
    }

    @Test("a bad expression exits 2, naming the field and what was expected")
    func badExpression() async throws {
        let result = try await DaemonHarness.skillctl(arguments: ["cron", "next", "0 0 32 * *"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("day of month: 32 is out of range 1-31"))
    }
}

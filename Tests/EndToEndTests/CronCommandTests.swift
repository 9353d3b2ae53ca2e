import Foundation
import JSON
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

    @Test("--json prints the fire times as one object")
    func json() async throws {
        let result = try await DaemonHarness.skillctl(arguments: [
            "--json", "cron", "next", "30 2 * * *", "--tz", "Europe/Berlin", "--after", "2026-03-28T12:00:00Z", "--count", "2",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let value = try JSONValue(parsing: result.standardOutput)
        #expect(value == ["cron": "30 2 * * *", "timezone": "Europe/Berlin",
                          "fire_times": ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]])
    }

    @Test("a bad expression exits 2 in schedules add too, as in cron next")
    func badExpressionInSchedulesAdd() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let added = try await daemon.skillctl("schedules", "add", "echo", "--cron", "0 0 32 * *")
        #expect(added.status == 2, "\(added.standardError)")
        #expect(added.standardError.contains("day of month: 32 is out of range 1-31"), "\(added.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }
}

import Foundation
import Scheduling
import Testing

/// The instant an ISO 8601 text with an offset (`2026-03-29T01:00:00Z`) names; fails the
/// test run at once on a typo in a table.
func instant(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { fatalError("not an ISO 8601 instant: \(text)") }
    return date
}

/// `dates` as ISO 8601 in UTC, so a failed expectation reads as times rather than numbers.
func utcTexts(_ dates: [Date]) -> [String] {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return dates.map { formatter.string(from: $0) }
}

/// The zone named `identifier`, which the tests rely on.
func zone(_ identifier: String) -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { fatalError("no time zone \(identifier)") }
    return zone
}

/// One row of a next-fire table: from `after`, `expression` in `zone` fires at `expected`
/// (UTC instants), in that order.
struct FireCase: CustomTestStringConvertible, Sendable {
    let expression: String
    let zoneName: String
    let after: String
    let expected: [String]

    init(_ expression: String, in zone: String = "UTC", after: String, _ expected: [String]) {
        self.expression = expression
        self.zoneName = zone
        self.after = after
        self.expected = expected
    }

    var testDescription: String { "\"\(expression)\" in \(zoneName) after \(after)" }

    /// What the expression computes for this row, as UTC texts.
    func computed() throws -> [String] {
        let cron = try CronExpression(expression)
        return utcTexts(cron.nextFireTimes(after: instant(after), in: zone(zoneName), count: expected.count))
    }
}

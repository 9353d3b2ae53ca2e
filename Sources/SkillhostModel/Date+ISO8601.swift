import Foundation

extension Date {
    /// The form of ``iso8601``.
    private static let iso8601Style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// ISO 8601 in UTC with milliseconds, e.g. 2026-11-23T18:00:00.000Z.
    package var iso8601: String {
        formatted(Self.iso8601Style)
    }

    /// The date that ``iso8601`` writes as `text`; nil for text of another form.
    package init?(iso8601 text: String) {
        guard let date = try? Self.iso8601Style.parse(text) else { return nil }
        self = date
    }
}

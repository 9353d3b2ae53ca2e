import Foundation

extension Date {
    /// ISO 8601 in UTC with milliseconds, e.g. 2026-11-23T18:00:00.000Z.
    package var iso8601: String {
        formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

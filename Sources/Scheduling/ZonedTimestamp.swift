import Foundation

extension Date {
    /// The date in ISO 8601 with the UTC offset `timeZone` has at that moment, e.g.
    /// `2026-03-29T03:00:00+02:00`: how fire times are shown to people, in their zone.
    /// Offsets with seconds (some historical zones) are written `+HH:MM:SS`.
    public func iso8601(in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: self)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset) ?? timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: self)
        func twoDigits(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let magnitude = abs(offset)
        let offsetText = (offset < 0 ? "-" : "+") + twoDigits(magnitude / 3600) + ":" + twoDigits(magnitude % 3600 / 60)
            + (magnitude % 60 == 0 ? "" : ":" + twoDigits(magnitude % 60))
        let year = String(parts.year ?? 0)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + twoDigits(parts.month) + "-"
            + twoDigits(parts.day) + "T" + twoDigits(parts.hour) + ":" + twoDigits(parts.minute) + ":"
            + twoDigits(parts.second) + offsetText
    }
}

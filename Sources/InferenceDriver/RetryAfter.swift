import Foundation

/// The value of a `Retry-After` header field (RFC 9110, section 10.2.3): a number of
/// seconds, or an HTTP date.
enum RetryAfter {
    /// The date formats an HTTP date may take: the preferred IMF-fixdate, then the obsolete
    /// RFC 850 and asctime forms that recipients must still accept.
    private static let dateFormats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'",
        "EEEE, dd-MMM-yy HH:mm:ss 'GMT'",
        "EEE MMM d HH:mm:ss yyyy",
    ]

    /// How long the server asks to wait, as of `now`; zero for a date in the past, and
    /// `nil` when `value` is neither form.
    static func delay(from value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingWhitespace()
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Int64(text).map { .seconds($0) }
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        // asctime pads single-digit days with a second space.
        let date = text.split(separator: " ").joined(separator: " ")
        for format in dateFormats {
            formatter.dateFormat = format
            if let date = formatter.date(from: date) {
                let milliseconds = (date.timeIntervalSince(now) * 1000).rounded(.up)
                return .milliseconds(Int64(max(0, milliseconds)))
            }
        }
        return nil
    }
}

import Foundation
import JSON
import Scheduling

/// How skillctl shows values to people.
enum Formatting {
    /// A duration in milliseconds: "0.42 ms", "12.3 ms", "4.20 s", "3 min 5 s".
    static func duration(milliseconds: Double) -> String {
        switch milliseconds {
        case ..<10: return String(format2: milliseconds, suffix: " ms")
        case ..<1000: return String(format1: milliseconds, suffix: " ms")
        case ..<60_000: return String(format2: milliseconds / 1000, suffix: " s")
        default:
            let seconds = Int(milliseconds / 1000)
            return seconds >= 3600
                ? "\(seconds / 3600) h \(seconds % 3600 / 60) min"
                : "\(seconds / 60) min \(seconds % 60) s"
        }
    }

    /// Milliseconds as seconds, without a fraction when whole: "3600", "0.25".
    static func seconds(milliseconds: Int64) -> String {
        guard milliseconds % 1000 != 0 else { return "\(milliseconds / 1000)" }
        var text = String(Double(milliseconds) / 1000)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// A byte count: "16040 B", "15.7 KiB", "2.0 MiB".
    static func size(bytes: Int64) -> String {
        let value = Double(bytes)
        switch value {
        case ..<1024: return "\(bytes) B"
        case ..<(1024 * 1024): return String(format1: value / 1024, suffix: " KiB")
        default: return String(format1: value / (1024 * 1024), suffix: " MiB")
        }
    }

    /// A time the daemon sent (ISO 8601, in UTC or with an offset, with or without
    /// fractional seconds) as skillctl shows every time to people: ISO 8601 to the second
    /// with the UTC offset of `zone` (skillctl's local zone unless given), e.g.
    /// `2026-12-04T19:47:12+01:00`; `nil` for none, the text itself when it is not a time.
    static func time(_ value: JSONValue?, in zone: TimeZone = .current) -> String? {
        guard let text = value?.stringValue else { return nil }
        guard let date = instant(text) else { return text }
        return date.iso8601(in: zone)
    }

    /// The instant an ISO 8601 text names, with or without fractional seconds.
    static func instant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `text` cut to `limit` characters, on one line, with "…" when cut.
    static func trimmed(_ text: String, to limit: Int) -> String {
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count <= limit ? oneLine : String(oneLine.prefix(limit - 1)) + "…"
    }

    /// A JSON value for people: strings raw, `null` as "-", anything else compact JSON.
    static func plain(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "-"
        case .string(let text)?: return text
        case let other?: return other.serialized()
        }
    }
}

extension String {
    fileprivate init(format1 value: Double, suffix: String) {
        self = Self.fixed(value, decimals: 1) + suffix
    }

    fileprivate init(format2 value: Double, suffix: String) {
        self = Self.fixed(value, decimals: 2) + suffix
    }

    /// `value` with exactly `decimals` decimals, without Foundation's locale-dependent formatting.
    private static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        let fraction = String(scaled % Int64(scale))
        return "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}

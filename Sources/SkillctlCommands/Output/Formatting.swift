import JSON

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

    /// A byte count: "16040 B", "15.7 KiB", "2.0 MiB".
    static func size(bytes: Int64) -> String {
        let value = Double(bytes)
        switch value {
        case ..<1024: return "\(bytes) B"
        case ..<(1024 * 1024): return String(format1: value / 1024, suffix: " KiB")
        default: return String(format1: value / (1024 * 1024), suffix: " MiB")
        }
    }

    /// An ISO 8601 time shortened for a table: "2026-11-23 18:00:00".
    static func shortTime(_ iso: String?) -> String {
        guard let iso else { return "-" }
        let trimmed = iso.replacingFirst("T", with: " ")
        return String(trimmed.prefix(19))
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

    fileprivate func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}

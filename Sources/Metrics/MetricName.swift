/// The rules of the text format and of Prometheus's naming conventions for names and labels,
/// checked where a family is declared: breaking one is a programming error.
enum MetricName {
    /// Stops unless `name` is a valid metric name (a counter's ending in `_total`) and
    /// `labels` valid label names, none reserved.
    static func check(_ name: String, labels: [String], kind: MetricKind) {
        precondition(isValid(name, allowingColon: true), "\(name) is not a valid metric name")
        precondition((kind == .counter) == name.hasSuffix("_total"), "\(name): a counter's name, and only a counter's, ends in _total")
        for label in labels {
            precondition(isValid(label, allowingColon: false) && !label.hasPrefix("__"), "\(label) is not a valid label name")
            precondition(label != "le" || kind != .histogram, "le is a histogram's own label")
        }
        precondition(Set(labels).count == labels.count, "\(name) repeats a label name")
    }

    /// Whether `name` is `[a-zA-Z_:][a-zA-Z0-9_:]*` (without `:` for labels).
    private static func isValid(_ name: String, allowingColon: Bool) -> Bool {
        let digits: ClosedRange<UInt8> = 0x30...0x39
        let letters: [ClosedRange<UInt8>] = [0x41...0x5A, 0x61...0x7A]
        let bytes = Array(name.utf8)
        guard let first = bytes.first, !digits.contains(first) else { return false }
        return bytes.allSatisfy { byte in
            digits.contains(byte) || letters.contains { $0.contains(byte) } || byte == UInt8(ascii: "_")
                || (allowingColon && byte == UInt8(ascii: ":"))
        }
    }
}

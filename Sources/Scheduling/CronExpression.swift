/// A cron schedule in the standard five-field form of Vixie cron: `minute hour
/// day-of-month month day-of-week`, e.g. `30 6 * * MON-FRI`.
///
/// Each field takes `*`, a value, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from `a`
/// to the field's maximum), or a comma-separated list of those. Months and weekdays also
/// take three-letter English names, in any case. Day of week 0 and 7 are both Sunday. The
/// macros `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and
/// `@hourly` stand for their five-field forms.
///
/// Vixie cron's day rule applies: when both day of month and day of week are restricted
/// (neither field starts with `*`), a day matches if *either* matches, so `0 0 13 * FRI`
/// fires on every 13th and on every Friday; otherwise a day must match both.
///
/// An expression whose day of month can never occur in its months (`0 0 30 2 *`) is
/// refused when parsed, so a parsed expression always has a next fire time.
/// ``nextFire(after:in:)`` describes how daylight-saving transitions are handled.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written, without surrounding white space.
    public let text: String

    let minutes: CronValueSet
    let hours: CronValueSet
    let daysOfMonth: CronValueSet
    let months: CronValueSet
    /// Days of the week, 0 (Sunday) to 6; a written 7 is stored as 0.
    let daysOfWeek: CronValueSet
    /// Whether the field was written starting with `*`, for each field.
    let wildcardFields: Set<CronField>

    /// The five-field forms of the macros.
    static let macros: [(name: String, fields: String)] = [
        ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"),
        ("@weekly", "0 0 * * 0"), ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"),
        ("@hourly", "0 * * * *"),
    ]

    /// Parses `text`, e.g. `*/15 9-17 * * MON-FRI` or `@daily`.
    /// - Throws: a ``CronParseError`` naming the field at fault and what it expected.
    public init(_ text: String) throws(CronParseError) {
        let trimmed = text.trimmingWhitespace()
        self.text = trimmed
        var fieldsText = trimmed
        if trimmed.hasPrefix("@") {
            let lowered = trimmed.lowercased()
            guard let macro = Self.macros.first(where: { $0.name == lowered }) else {
                let names = Self.macros.map(\.name).joined(separator: " ")
                throw CronParseError(field: nil, reason: "unknown macro \"\(trimmed)\": expected one of \(names)")
            }
            fieldsText = macro.fields
        }
        let words = fieldsText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count == 5 else {
            throw CronParseError(field: nil, reason: "expected 5 fields, got \(words.count) "
                                 + "(minute hour day-of-month month day-of-week, e.g. \"30 6 * * MON-FRI\")")
        }
        minutes = try Self.parseField(words[0], as: .minute)
        hours = try Self.parseField(words[1], as: .hour)
        daysOfMonth = try Self.parseField(words[2], as: .dayOfMonth)
        months = try Self.parseField(words[3], as: .month)
        var weekdays = CronValueSet()
        for day in try Self.parseField(words[4], as: .dayOfWeek).values { weekdays.insert(day % 7) }
        daysOfWeek = weekdays
        wildcardFields = Set(zip(CronField.allCases, words).filter { $0.1.hasPrefix("*") }.map(\.0))
        if daysMustMatchBoth {
            try Self.checkDayOccurs(daysOfMonth, in: months, dayText: words[2], monthText: words[3])
        }
    }

    /// The expression as written.
    public var description: String { text }

    /// Whether the job follows real elapsed time across daylight-saving transitions: true
    /// when the minute or the hour field starts with `*` (Debian cron's "wildcard" jobs,
    /// `@hourly` included). Other jobs run at a fixed wall-clock time; see
    /// ``nextFire(after:in:)``.
    public var firesByElapsedTime: Bool {
        wildcardFields.contains(.minute) || wildcardFields.contains(.hour)
    }

    /// Whether a day must match both day fields (one of them starts with `*`) rather than
    /// either (Vixie cron's rule).
    var daysMustMatchBoth: Bool {
        wildcardFields.contains(.dayOfMonth) || wildcardFields.contains(.dayOfWeek)
    }

    /// Two expressions are equal when they fire at the same times, however written.
    public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
        lhs.minutes == rhs.minutes && lhs.hours == rhs.hours && lhs.daysOfMonth == rhs.daysOfMonth
            && lhs.months == rhs.months && lhs.daysOfWeek == rhs.daysOfWeek
            && lhs.firesByElapsedTime == rhs.firesByElapsedTime && lhs.daysMustMatchBoth == rhs.daysMustMatchBoth
    }

    /// Hashes what ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        for set in [minutes, hours, daysOfMonth, months, daysOfWeek] { hasher.combine(set) }
        hasher.combine(firesByElapsedTime)
        hasher.combine(daysMustMatchBoth)
    }

    // MARK: Parsing

    private static func parseField(_ text: String, as field: CronField) throws(CronParseError) -> CronValueSet {
        var set = CronValueSet()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else {
                throw CronParseError(field: field, reason: "empty item in the list \"\(text)\"")
            }
            for value in try parseItem(String(item), as: field) { set.insert(value) }
        }
        return set
    }

    /// One list item: `*`, `V`, `A-B`, each optionally followed by `/STEP`.
    private static func parseItem(_ item: String, as field: CronField) throws(CronParseError) -> StrideThrough<Int> {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw CronParseError(field: field, reason: "\"\(item)\" has more than one /: write RANGE/STEP, e.g. */15")
        }
        let rangeText = String(parts[0])
        var step = 1
        if parts.count == 2 {
            let width = field.bounds.count
            guard let value = Int(parts[1]), (1...width).contains(value) else {
                throw CronParseError(field: field,
                                     reason: "step \"\(parts[1])\" in \"\(item)\" must be a whole number from 1 to \(width)")
            }
            step = value
        }
        let range: ClosedRange<Int>
        if rangeText == "*" {
            range = field.bounds
        } else if let dash = rangeText.firstIndex(of: "-") {
            let low = try parseValue(String(rangeText[..<dash]), as: field)
            let high = try parseValue(String(rangeText[rangeText.index(after: dash)...]), as: field)
            guard low <= high else {
                throw CronParseError(field: field, reason: "range \(rangeText) runs backwards; write \(high)-\(low) or a list")
            }
            range = low...high
        } else {
            let value = try parseValue(rangeText, as: field)
            // `A/STEP` means from A to the field's maximum, as Vixie cron reads it.
            range = parts.count == 2 ? value...field.bounds.upperBound : value...value
        }
        return stride(from: range.lowerBound, through: range.upperBound, by: step)
    }

    private static func parseValue(_ text: String, as field: CronField) throws(CronParseError) -> Int {
        if !text.isEmpty, text.allSatisfy({ ("0"..."9").contains($0) }), let value = Int(text) {
            guard field.bounds.contains(value) else {
                throw CronParseError(field: field, reason: "\(value) is out of range "
                                     + "\(field.bounds.lowerBound)-\(field.bounds.upperBound)")
            }
            return value
        }
        if let value = field.names[text.uppercased()] { return value }
        throw CronParseError(field: field, reason: "expected \(field.expectation), got \"\(text)\"")
    }

    /// Refuses a day of month that no allowed month has (`30 2`, `31 4,6,9,11`), for
    /// expressions whose days must match both day fields.
    private static func checkDayOccurs(_ days: CronValueSet, in months: CronValueSet,
                                       dayText: String, monthText: String) throws(CronParseError) {
        let longestMonth = months.values.map { CivilTime.daysInMonth($0, year: 2000) }.max() ?? 0
        guard let firstDay = days.first(atOrAfter: 1), firstDay > longestMonth else { return }
        throw CronParseError(field: .dayOfMonth, reason: "\"\(dayText)\" never falls in month \"\(monthText)\", "
                             + "whose months have at most \(longestMonth) days, so the expression would never fire")
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}

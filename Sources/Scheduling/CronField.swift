/// One of the five fields of a cron expression, in the order they are written.
public enum CronField: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The minute, 0-59.
    case minute
    /// The hour, 0-23.
    case hour
    /// The day of the month, 1-31.
    case dayOfMonth
    /// The month, 1-12 or JAN-DEC.
    case month
    /// The day of the week, 0-7 (0 and 7 are Sunday) or SUN-SAT.
    case dayOfWeek

    /// The field's name as error messages show it, e.g. "day of month".
    public var description: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day of month"
        case .month: "month"
        case .dayOfWeek: "day of week"
        }
    }

    /// The values the field accepts as written (day of week accepts 7 for Sunday).
    var bounds: ClosedRange<Int> {
        switch self {
        case .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...7
        }
    }

    /// The names the field accepts instead of numbers, upper-cased, with their values.
    var names: [String: Int] {
        switch self {
        case .month:
            Dictionary(uniqueKeysWithValues: zip(["JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1...12))
        case .dayOfWeek:
            Dictionary(uniqueKeysWithValues: zip(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 0...6))
        case .minute, .hour, .dayOfMonth:
            [:]
        }
    }

    /// What a value of the field looks like, for error messages.
    var expectation: String {
        switch self {
        case .month: "a number 1-12 or a name JAN-DEC"
        case .dayOfWeek: "a number 0-7 or a name SUN-SAT"
        case .minute, .hour, .dayOfMonth: "a number \(bounds.lowerBound)-\(bounds.upperBound)"
        }
    }
}

/// Why a cron expression was refused: the field at fault, if any, and what was expected.
///
/// Its `description` reads, for example, `day of month: 32 is out of range 1-31` or
/// `expected 5 fields, got 4 (minute hour day-of-month month day-of-week)`.
public struct CronParseError: Error, Hashable, CustomStringConvertible {
    /// The field at fault, or `nil` when the expression as a whole is wrong (field count,
    /// unknown macro).
    public let field: CronField?
    /// What was wrong and what was expected, without the field name.
    public let reason: String

    /// Creates an error about `field` (or the whole expression when `nil`).
    public init(field: CronField?, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// The message to show a user: `<field>: <reason>`, or the reason alone.
    public var description: String {
        field.map { "\($0): \(reason)" } ?? reason
    }
}

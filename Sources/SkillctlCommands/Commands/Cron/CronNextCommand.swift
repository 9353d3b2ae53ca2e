import Foundation
import JSON
import Scheduling

/// `skillctl cron next EXPR`: the next fire times of a cron expression, computed by
/// skillctl itself (no daemon is asked).
struct CronNextCommand: SkillctlCommand, Equatable {
    /// The number of fire times printed without `--count`.
    static let defaultCount = 5

    static let expression = Argument("EXPR", kind: .cronExpression, help: "the cron expression, as ONE argument: quote it")
    static let timeZone = Option("--tz", kind: .timeZone,
                                 help: "an IANA time zone, e.g. Europe/Berlin (default: the local one)")
    static let after = Option("--after", kind: .instant, help: """
        start after this instant, e.g. 2026-03-29T00:00:00+01:00 or 2026-03-28T23:00:00Z (default: now)
        """)
    static let count = Option("--count", kind: .wholeNumber(in: 1...1000),
                              help: "how many times to print, 1 to 1000 (default \(defaultCount))")

    static let declaration = CommandDeclaration(
        name: "next", abstract: "the next fire times of a cron expression, computed locally",
        discussion: """
            Prints the next times the cron expression EXPR fires, one per line in ISO 8601
            with the zone's UTC offset, e.g. 2026-03-29T03:00:00+02:00 (--json: one object,
            {"cron", "timezone", "fire_times"}). Computed by skillctl itself: the daemon
            need not run.

            EXPR is ONE argument, so quote it: skillctl cron next '30 6 * * MON-FRI'.
            Five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or
            JAN-DEC), day of week (0-7 or SUN-SAT; 0 and 7 are Sunday). Each takes *,
            lists (1,15), ranges (9-17), steps (*/15, 1-30/5, 5/10). Or a macro: @yearly,
            @annually, @monthly, @weekly, @daily, @midnight, @hourly. When both day fields
            are restricted, a day matches if either does (0 0 13 * FRI: every 13th and
            every Friday). Daylight-saving changes follow Debian cron: see docs/CRON.md.

            A bad expression exits with status 2 and names the field at fault.
            """,
        arguments: [expression], options: [timeZone, after, count],
        surplusAdvice: { words in
            "the expression is one argument: quote it, e.g. skillctl cron next '\(words.joined(separator: " "))'"
        })

    /// The expression, already checked.
    var expression: CronExpression
    /// `--tz`: an IANA zone name; `nil` for the local zone.
    var timeZone: String?
    /// `--after`: the instant to start from; `nil` for now.
    var after: Date?
    /// `--count`: how many fire times to print.
    var count: Int

    init(_ arguments: ParsedArguments) throws(UsageError) {
        expression = try arguments.required(Self.expression)
        timeZone = try arguments.value(Self.timeZone)
        after = try arguments.value(Self.after)
        count = try arguments.value(Self.count) ?? Self.defaultCount
    }

    /// Prints the fire times one per line, or with `--json` one object
    /// `{"cron", "timezone", "fire_times": [...]}`.
    func execute(in context: CommandContext) async -> ExitCode {
        switch fireTimes(now: Date(), localTimeZone: .current) {
        case .success(let schedule):
            if context.json {
                Console.output(JSONValue.object([
                    "cron": .string(expression.description), "timezone": .string(schedule.zone.identifier),
                    "fire_times": .array(schedule.times.map(JSONValue.string)),
                ]).serialized())
            } else {
                Console.output(schedule.times.joined(separator: "\n"))
            }
            return .success
        case .failure(let error):
            Console.error(error.description)
            return .usage
        }
    }

    /// The fire times asked for, in ISO 8601 with the zone's offset, and the zone; or why
    /// there are none to give.
    func fireTimes(now: Date, localTimeZone: TimeZone) -> Result<(zone: TimeZone, times: [String]), UsageError> {
        var zone = localTimeZone
        if let timeZone {
            do {
                zone = try CronTimeZone.named(timeZone)
            } catch {
                return .failure(UsageError("--tz: \(error)", command: "cron next"))
            }
        }
        let times = expression.nextFireTimes(after: after ?? now, in: zone, count: count)
        return .success((zone, times.map { $0.iso8601(in: zone) }))
    }
}

extension ValueKind<CronExpression> {
    /// A cron expression, checked here; the error names the field at fault.
    static let cronExpression = ValueKind(valueName: "EXPR", expectation: "a cron expression") { text throws(ValueRefusal) in
        do {
            return try CronExpression(text)
        } catch {
            throw .explained("invalid cron expression \"\(text)\": \(error)")
        }
    }
}

extension ValueKind<Date> {
    /// An ISO 8601 instant with a UTC offset or `Z`, with or without fractional seconds.
    static let instant = ValueKind(valueName: "ISO8601", expectation: """
        an ISO 8601 time with a UTC offset, e.g. 2026-03-29T00:00:00+01:00 or 2026-03-28T23:00:00Z
        """) { text throws(ValueRefusal) in
        guard let date = Formatting.instant(text) else { throw .unexpected }
        return date
    }
}

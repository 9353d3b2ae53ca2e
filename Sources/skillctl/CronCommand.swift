import Foundation
import Scheduling

/// `skillctl cron next EXPR [--tz ZONE] [--after ISO8601] [--count N]`, as parsed. Computed
/// by skillctl itself: no daemon is asked.
struct CronNextRequest: Equatable {
    /// The expression, already checked.
    var expression: CronExpression
    /// `--tz`: an IANA zone name; `nil` for the local zone.
    var timeZone: String?
    /// `--after`: the instant to start from; `nil` for now.
    var after: Date?
    /// `--count`: how many fire times to print.
    var count: Int
}

/// The `cron` commands: parsing their arguments and printing their answer.
enum CronCommand {
    /// The number of fire times `cron next` prints without `--count`.
    static let defaultCount = 5

    /// Parses the words after `cron next`.
    static func parseNext(_ words: [String]) throws(UsageError) -> CronNextRequest {
        let arguments = try CommandArguments(words, command: "cron next", positionals: 0...Int.max,
                                             valueOptions: ["--tz", "--after", "--count"])
        switch arguments.positionals.count {
        case 0:
            throw UsageError("missing the expression: usage is `\(Help.usageLine(for: "cron next"))`", command: "cron next")
        case 1:
            break
        default:
            let joined = arguments.positionals.joined(separator: " ")
            throw UsageError("the expression is one argument: quote it, e.g. skillctl cron next '\(joined)'",
                             command: "cron next")
        }
        let expression: CronExpression
        do {
            expression = try CronExpression(arguments.positionals[0])
        } catch {
            throw UsageError("invalid cron expression \"\(arguments.positionals[0])\": \(error)", command: "cron next")
        }
        var count = defaultCount
        if let text = arguments.values["--count"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw UsageError("--count expects a whole number from 1 to 1000, got \"\(text)\"", command: "cron next")
            }
            count = value
        }
        var after: Date?
        if let text = arguments.values["--after"] {
            guard let date = parseInstant(text) else {
                throw UsageError("--after expects an ISO 8601 time with a UTC offset, e.g. 2026-03-29T00:00:00+01:00 "
                                 + "or 2026-03-28T23:00:00Z, got \"\(text)\"", command: "cron next")
            }
            after = date
        }
        return CronNextRequest(expression: expression, timeZone: arguments.values["--tz"], after: after, count: count)
    }

    /// The fire times `request` asks for, one per line, or why there are none to give.
    static func next(_ request: CronNextRequest, now: Date, localTimeZone: TimeZone) -> Result<String, UsageError> {
        var timeZone = localTimeZone
        if let identifier = request.timeZone {
            do {
                timeZone = try CronTimeZone.named(identifier)
            } catch {
                return .failure(UsageError("--tz: \(error)", command: "cron next"))
            }
        }
        let times = request.expression.nextFireTimes(after: request.after ?? now, in: timeZone, count: request.count)
        return .success(times.map { $0.iso8601(in: timeZone) }.joined(separator: "\n"))
    }

    /// An ISO 8601 instant with a UTC offset or `Z`, with or without fractional seconds.
    private static func parseInstant(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

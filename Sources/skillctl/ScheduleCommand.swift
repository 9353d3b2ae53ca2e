/// A `skillctl schedules ...` command, with its arguments checked.
enum ScheduleCommand: Equatable {
    /// `schedules` or `schedules list`: every schedule.
    case list
    /// `schedules add SKILL --cron EXPR ...`.
    case add(ScheduleAdd)
    /// `schedules show ID`: the schedule and its latest fires.
    case show(scheduleID: Int64)
    /// `schedules remove ID`.
    case remove(scheduleID: Int64)
    /// `schedules pause ID`.
    case pause(scheduleID: Int64)
    /// `schedules resume ID`.
    case resume(scheduleID: Int64)
    /// `schedules trigger ID`: fire now.
    case trigger(scheduleID: Int64)

    /// The subcommands, in the order help lists them.
    static let names = ["list", "add", "show", "remove", "pause", "resume", "trigger"]

    /// Parses the words after `schedules`.
    static func parse(_ words: [String]) throws(UsageError) -> ScheduleCommand {
        guard let name = words.first else { return .list }
        let rest = Array(words.dropFirst())
        let label = "schedules \(name)"
        switch name {
        case "list":
            _ = try CommandArguments(rest, command: label, positionals: 0...0)
            return .list
        case "add": return .add(try ScheduleAdd.parse(rest))
        case "show": return .show(scheduleID: try scheduleID(rest, command: label))
        case "remove": return .remove(scheduleID: try scheduleID(rest, command: label))
        case "pause": return .pause(scheduleID: try scheduleID(rest, command: label))
        case "resume": return .resume(scheduleID: try scheduleID(rest, command: label))
        case "trigger": return .trigger(scheduleID: try scheduleID(rest, command: label))
        default:
            throw UsageError("unknown schedules subcommand \"\(name)\": the subcommands are \(names.joined(separator: ", "))",
                             command: "schedules")
        }
    }

    private static func scheduleID(_ words: [String], command: String) throws(UsageError) -> Int64 {
        let arguments = try CommandArguments(words, command: command, positionals: 1...1)
        let text = arguments.positionals[0]
        guard let id = Int64(text), id > 0 else {
            throw UsageError("\(command) expects a schedule id (a positive whole number), got \"\(text)\"", command: command)
        }
        return id
    }
}

/// The arguments of `schedules add`.
struct ScheduleAdd: Equatable {
    /// What each fire gives the skill.
    enum Input: Equatable {
        /// The daemon's default, `{}`.
        case none
        /// INPUT as given on the command line.
        case argument(String)
        /// `@FILE`: the file's text, read now, as the fixed input.
        case file(String)
        /// `@FILE.jsonl --batch`: a batch over the file's lines, read by the daemon at each fire.
        case batchFile(String)
    }

    /// The concurrency policies `--concurrency` accepts.
    static let concurrencyPolicies = ["allow", "forbid", "replace"]
    /// The catch-up policies `--catch-up` accepts.
    static let catchUpPolicies = ["skip", "once"]

    /// `NAME` or `NAME@VERSION`.
    var skill: String
    /// `--cron EXPR`.
    var cron: String
    /// `--tz ZONE`; nil: the daemon's zone.
    var timeZone: String?
    /// What each fire gives the skill.
    var input: Input
    /// `--concurrency`; nil: the daemon's default (allow).
    var concurrency: String?
    /// `--catch-up`; nil: the daemon's default (skip).
    var catchUp: String?
    /// `--parallelism N` of each batch; nil: 1.
    var parallelism: Int?

    /// Parses the words after `schedules add`.
    static func parse(_ words: [String]) throws(UsageError) -> ScheduleAdd {
        let command = "schedules add"
        let arguments = try CommandArguments(
            words, command: command, positionals: 1...2,
            valueOptions: ["--cron", "--tz", "--concurrency", "--catch-up", "--parallelism"], flags: ["--batch"])
        guard let cron = arguments.values["--cron"] else {
            throw UsageError("schedules add needs --cron EXPR, e.g. --cron '30 6 * * MON-FRI'", command: command)
        }
        let batch = arguments.flags.contains("--batch")
        let input: Input
        switch arguments.positionals.dropFirst().first {
        case nil:
            guard !batch else { throw UsageError("--batch needs @FILE.jsonl, the file of the batch's items", command: command) }
            input = .none
        case let text? where text.hasPrefix("@") && text.count > 1:
            input = batch ? .batchFile(String(text.dropFirst())) : .file(String(text.dropFirst()))
        case let text?:
            guard !batch else { throw UsageError("--batch needs @FILE.jsonl, not \"\(text)\"", command: command) }
            input = .argument(text)
        }
        var add = ScheduleAdd(skill: arguments.positionals[0], cron: cron, timeZone: arguments.values["--tz"], input: input)
        if let policy = arguments.values["--concurrency"] {
            guard concurrencyPolicies.contains(policy) else {
                throw UsageError("--concurrency expects one of \(concurrencyPolicies.joined(separator: ", ")), got \"\(policy)\"",
                                 command: command)
            }
            add.concurrency = policy
        }
        if let policy = arguments.values["--catch-up"] {
            guard catchUpPolicies.contains(policy) else {
                throw UsageError("--catch-up expects one of \(catchUpPolicies.joined(separator: ", ")), got \"\(policy)\"",
                                 command: command)
            }
            add.catchUp = policy
        }
        if let text = arguments.values["--parallelism"] {
            guard let value = Int(text), (1...64).contains(value) else {
                throw UsageError("--parallelism expects a whole number from 1 to 64, got \"\(text)\"", command: command)
            }
            add.parallelism = value
        }
        return add
    }
}

import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl schedules add SKILL --cron EXPR ...`: adds a schedule.
struct AddScheduleCommand: DaemonRequestCommand, Equatable {
    /// What each fire gives the skill.
    enum Input: Equatable, Sendable {
        /// The daemon's default, `{}`.
        case none
        /// INPUT as given on the command line.
        case argument(String)
        /// `@FILE`: the file's text, read now, as the fixed input.
        case file(String)
        /// `@FILE.jsonl --batch`: a batch over the file's lines, read by the daemon at each fire.
        case batchFile(String)
    }

    static let skill = Argument(kind: .skill, help: "NAME or NAME@VERSION")
    static let input = Argument(kind: .text("INPUT|@FILE", completion: .input(fileExtensions: ["jsonl"])),
                                isOptional: true, help: """
        each fire's input: JSON, else a string; @FILE: the file's text; default {}; with --batch, @FILE.jsonl: \
        a batch over the file's lines, read by the daemon at each fire
        """)
    static let cron = Option("--cron", kind: .text("EXPR"), isRequired: true, example: "'30 6 * * MON-FRI'",
                             help: "when it fires: a cron expression (see `skillctl help cron next`), quoted")
    static let timeZone = Option("--tz", kind: .timeZone,
                                 help: "an IANA time zone (default: the daemon's)")
    static let batch = Flag("--batch", help: "each fire starts a batch over the lines of @FILE.jsonl")
    static let parallelism = Option("--parallelism", kind: .wholeNumber(in: 1...64),
                                    help: "items of each batch run at once, 1 to 64 (default 1)")
    static let concurrency = Option("--concurrency", kind: .choice(["allow", "forbid", "replace"]), help: """
        while the previous fire's work still runs: start anyway (default), skip this fire, or cancel the \
        previous work and start
        """)
    static let catchUp = Option("--catch-up", kind: .choice(["skip", "once"]), help: """
        fire times missed while the daemon was down: record them as missed (default), or fire once at start-up
        """)

    static let declaration = CommandDeclaration(
        name: "add", abstract: "fires a skill, or a batch over a JSONL file, at the times of a cron expression",
        discussion: """
            Adds a schedule; each fire runs SKILL once with INPUT, or, with @FILE.jsonl --batch,
            starts a batch over the file's lines, read by the daemon at each fire.
            """,
        arguments: [skill, input], options: [cron, timeZone, batch, parallelism, concurrency, catchUp])

    /// `NAME` or `NAME@VERSION`.
    var skill: String
    /// `--cron`.
    var cron: String
    /// `--tz`; `nil`: the daemon's zone.
    var timeZone: String?
    /// What each fire gives the skill.
    var input: Input
    /// `--concurrency`; `nil`: the daemon's default (allow).
    var concurrency: String?
    /// `--catch-up`; `nil`: the daemon's default (skip).
    var catchUp: String?
    /// `--parallelism` of each batch; `nil`: 1.
    var parallelism: Int?

    init(_ arguments: ParsedArguments) throws(UsageError) {
        skill = try arguments.required(Self.skill)
        cron = try arguments.required(Self.cron)
        timeZone = try arguments.value(Self.timeZone)
        let batch = arguments.isSet(Self.batch)
        switch try arguments.value(Self.input) {
        case nil:
            guard !batch else { throw arguments.error("--batch needs @FILE.jsonl, the file of the batch's items") }
            input = .none
        case let text? where text.hasPrefix("@") && text.count > 1:
            input = batch ? .batchFile(String(text.dropFirst())) : .file(String(text.dropFirst()))
        case let text?:
            guard !batch else { throw arguments.error("--batch needs @FILE.jsonl, not \"\(text)\"") }
            input = .argument(text)
        }
        concurrency = try arguments.value(Self.concurrency)
        catchUp = try arguments.value(Self.catchUp)
        parallelism = try arguments.value(Self.parallelism)
    }

    func request(in context: CommandContext) throws(UsageError) -> AddScheduleRequest {
        var request = AddScheduleRequest(skill: skill, cron: cron, timezone: timeZone, concurrency: concurrency,
                                         catchUp: catchUp, parallelism: parallelism)
        switch input {
        case .none:
            break
        case .argument(let text):
            request.input = (try? JSONValue(parsing: text)) ?? .string(text)
        case .file(let path):
            let absolutePath = context.absolute(path)
            guard let data = FileManager.default.contents(atPath: absolutePath), let text = String(data: data, encoding: .utf8)
            else { throw UsageError("cannot read the input file \(absolutePath) as UTF-8 text", command: "schedules add") }
            let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
            request.input = (try? JSONValue(parsing: trimmed)) ?? .string(trimmed)
        case .batchFile(let path):
            request.inputFile = context.absolute(path)
        }
        return request
    }

    func render(_ result: JSONValue) -> String {
        ScheduleOutput.renderSchedule(result)
    }
}

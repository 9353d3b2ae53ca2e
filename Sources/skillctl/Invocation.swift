import SkillhostProtocol

/// What the command line asks for, parsed but not yet acted on.
struct Invocation: Equatable {
    /// `--socket PATH`, if given.
    var socketPath: String?
    /// `--json`: print the daemon's raw JSON result.
    var json = false
    /// What to do.
    var action: Action

    enum Action: Equatable {
        /// Print help: the tool's (`nil`) or a command's.
        case help(command: String?)
        /// Print the version.
        case version
        /// Call the daemon.
        case command(Command)
        /// Print the next fire times of a cron expression, computed locally.
        case cronNext(CronNextRequest)
        /// Work with batches (several calls, or a wait with progress).
        case batch(BatchCommand)
        /// Work with schedules.
        case schedules(ScheduleCommand)
        /// Work with the daemon's inference models and endpoints.
        case inference(InferenceCommand)
    }
}

/// A request to the daemon, with its arguments checked.
enum Command: Equatable {
    case status
    case install(path: String, force: Bool, sha256: String?, isolation: String?, memoryLimit: MemoryLimitParameter?)
    case list
    case show(name: String)
    case remove(name: String, version: String?)
    case run(skill: String, input: RunInput, timeoutMilliseconds: Int64?, model: String?, stream: Bool)
    case runs(RunsFilter)
    case runsShow(runID: Int64)
    case logs(runID: Int64)
    case isolation(skill: String, mode: String)
    case memoryLimit(skill: String, limit: MemoryLimitParameter)
}

extension MemoryLimitParameter {
    /// Parses `SIZE` (bytes, or with a K, M or G suffix, binary: `512M` = 512 MiB), `none`
    /// (no limit) or `default` (the daemon's `memory_limit_bytes`).
    init?(commandLine text: String) {
        switch text.lowercased() {
        case "default": self = .daemonDefault
        case "none": self = .bytes(0)
        default:
            let units: [(String, Int64)] = [("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30),
                                            ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30)]
            let lowered = text.lowercased()
            let (digits, unit) = units.first { lowered.hasSuffix($0.0) }
                .map { (String(lowered.dropLast($0.0.count)), $0.1) } ?? (lowered, 1)
            guard let count = Int64(digits), count >= 0 else { return nil }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            self = .bytes(bytes)
        }
    }
}

/// Where `skillctl run` takes the skill's input from.
enum RunInput: Equatable {
    /// None given: the daemon's default (`{}`).
    case none
    /// The argument itself.
    case argument(String)
    /// Standard input (`-`).
    case standardInput
    /// A file (`@PATH`).
    case file(String)
}

/// The filters of `skillctl runs`.
struct RunsFilter: Equatable {
    var skill: String?
    var status: String?
    var limit: Int?
    var before: Int64?
}

extension Invocation {
    /// The commands, in the order help lists them.
    static let commandNames = ["status", "install", "list", "show", "remove", "run", "runs", "logs", "isolation",
                               "memory-limit", "cron", "batch", "schedules", "inference"]

    /// The commands that have subcommands, each with its subcommands; help accepts
    /// `COMMAND SUBCOMMAND` for these.
    static let subcommands = ["runs": ["show"], "cron": ["next"], "batch": BatchCommand.names,
                              "schedules": ScheduleCommand.names, "inference": InferenceCommand.names]

    /// The run statuses `runs --status` accepts.
    static let runStatuses = ["queued", "running", "succeeded", "failed", "timeout", "crashed", "cancelled", "interrupted"]

    /// Parses the arguments after the program name. Pure: reads no files and no environment.
    ///
    /// Global options (`--socket`, `--json`, `--help`, `--version`) may come before or
    /// after the command; `--` ends options.
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var socketPath: String?
        var json = false
        var wantsHelp = false
        var wantsVersion = false
        var words: [String] = []
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded {
                words.append(argument)
                continue
            }
            switch argument {
            case "--":
                optionsEnded = true
                words.append(argument)
            case "--json": json = true
            case "-h", "--help": wantsHelp = true
            case "--version": wantsVersion = true
            case "--socket":
                guard index < arguments.count, !arguments[index].isEmpty else {
                    throw UsageError("--socket needs a path, e.g. --socket /run/user/1000/skillhost/skillhostd.sock")
                }
                socketPath = arguments[index]
                index += 1
            case let option where option.hasPrefix("--socket="):
                let path = String(option.dropFirst("--socket=".count))
                guard !path.isEmpty else { throw UsageError("--socket needs a path") }
                socketPath = path
            default:
                words.append(argument)
            }
        }

        let commandName = words.first
        let commandLabel = commandName.flatMap { name in
            words.dropFirst().first.flatMap { subcommand in
                subcommands[name]?.contains(subcommand) == true ? "\(name) \(subcommand)" : nil
            } ?? name
        }
        func invocation(_ action: Invocation.Action) -> Invocation {
            Invocation(socketPath: socketPath, json: json, action: action)
        }
        if commandName == "help" {
            let topic = words.dropFirst().joined(separator: " ")
            guard topic.isEmpty || Self.commandNames.contains(topic) || Self.isSubcommandTopic(topic) else {
                throw UsageError("no help for \"\(topic)\": the commands are \(Self.commandNames.joined(separator: ", "))")
            }
            return invocation(.help(command: topic.isEmpty ? nil : topic))
        }
        if wantsHelp {
            if let commandName, !Self.commandNames.contains(commandName) { throw unknownCommand(commandName) }
            return invocation(.help(command: commandLabel))
        }
        if wantsVersion { return invocation(.version) }
        guard let commandName else {
            throw UsageError("no command given: try `skillctl status`, or one of \(Self.commandNames.joined(separator: ", "))")
        }
        var rest = Array(words.dropFirst())
        if commandName == "batch" { return invocation(.batch(try BatchCommand.parse(rest))) }
        if commandName == "schedules" { return invocation(.schedules(try ScheduleCommand.parse(rest))) }
        if commandName == "inference" { return invocation(.inference(try InferenceCommand.parse(rest))) }
        if commandName == "cron" {
            guard rest.first == "next" else {
                throw UsageError("cron needs a subcommand: `\(Help.usageLine(for: "cron next"))`", command: "cron")
            }
            return invocation(.cronNext(try CronCommand.parseNext(Array(rest.dropFirst()))))
        }
        let command: Command
        switch commandName {
        case "status": command = try parseStatus(rest)
        case "install": command = try parseInstall(rest)
        case "list": command = try parseList(rest)
        case "show": command = try parseShow(rest)
        case "remove": command = try parseRemove(rest)
        case "run": command = try parseRun(rest)
        case "logs": command = .logs(runID: try parseRunID(rest, command: "logs"))
        case "isolation": command = try parseIsolation(rest)
        case "memory-limit": command = try parseMemoryLimit(rest)
        case "runs":
            if rest.first == "show" {
                rest.removeFirst()
                command = .runsShow(runID: try parseRunID(rest, command: "runs show"))
            } else {
                command = try parseRuns(rest)
            }
        default: throw unknownCommand(commandName)
        }
        return invocation(.command(command))
    }

    /// Whether `topic` is `COMMAND SUBCOMMAND`, e.g. "runs show".
    private static func isSubcommandTopic(_ topic: String) -> Bool {
        let parts = topic.split(separator: " ").map(String.init)
        return parts.count == 2 && subcommands[parts[0]]?.contains(parts[1]) == true
    }

    private static func unknownCommand(_ name: String) -> UsageError {
        if name.hasPrefix("-") { return UsageError("unknown option \(name)") }
        return UsageError("unknown command \"\(name)\": the commands are \(commandNames.joined(separator: ", "))")
    }

    // MARK: Commands

    private static func parseStatus(_ words: [String]) throws(UsageError) -> Command {
        _ = try CommandArguments(words, command: "status", positionals: 0...0)
        return .status
    }

    private static func parseInstall(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "install", positionals: 1...1,
                                             valueOptions: ["--sha256", "--isolation", "--memory-limit"], flags: ["--force"])
        var sha256: String?
        if let hex = arguments.values["--sha256"] {
            let lowered = hex.lowercased()
            guard lowered.count == 64, lowered.allSatisfy(\.isHexDigit) else {
                throw UsageError("--sha256 expects 64 hexadecimal digits, got \"\(hex)\"", command: "install")
            }
            sha256 = lowered
        }
        let isolation = arguments.values["--isolation"]
        if let isolation, !isolationModes.contains(isolation) {
            throw UsageError("--isolation expects process or inprocess, got \"\(isolation)\"", command: "install")
        }
        var memoryLimit: MemoryLimitParameter?
        if let text = arguments.values["--memory-limit"] {
            guard let limit = MemoryLimitParameter(commandLine: text) else { throw memoryLimitError(text, command: "install") }
            memoryLimit = limit
        }
        return .install(path: arguments.positionals[0], force: arguments.flags.contains("--force"), sha256: sha256,
                        isolation: isolation, memoryLimit: memoryLimit)
    }

    private static func parseMemoryLimit(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "memory-limit", positionals: 2...2)
        guard let limit = MemoryLimitParameter(commandLine: arguments.positionals[1]) else {
            throw memoryLimitError(arguments.positionals[1], command: "memory-limit")
        }
        return .memoryLimit(skill: arguments.positionals[0], limit: limit)
    }

    private static func memoryLimitError(_ text: String, command: String) -> UsageError {
        UsageError("a memory limit is a size such as 512M or 2G (binary units), none or default; got \"\(text)\"",
                   command: command)
    }

    /// The isolation modes a skill can run in.
    static let isolationModes = ["process", "inprocess"]

    private static func parseIsolation(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "isolation", positionals: 2...2)
        let mode = arguments.positionals[1]
        guard isolationModes.contains(mode) else {
            throw UsageError("isolation expects process or inprocess, got \"\(mode)\"", command: "isolation")
        }
        return .isolation(skill: arguments.positionals[0], mode: mode)
    }

    private static func parseList(_ words: [String]) throws(UsageError) -> Command {
        _ = try CommandArguments(words, command: "list", positionals: 0...0)
        return .list
    }

    private static func parseShow(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "show", positionals: 1...1)
        return .show(name: arguments.positionals[0])
    }

    private static func parseRemove(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "remove", positionals: 1...1, valueOptions: ["--version"])
        return .remove(name: arguments.positionals[0], version: arguments.values["--version"])
    }

    private static func parseRun(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "run", positionals: 1...2,
                                             valueOptions: ["--timeout", "--timeout-ms", "--model"], flags: ["--stream"])
        let input: RunInput
        switch arguments.positionals.dropFirst().first {
        case nil: input = .none
        case "-": input = .standardInput
        case let text? where text.hasPrefix("@") && text.count > 1: input = .file(String(text.dropFirst()))
        case let text?: input = .argument(text)
        }
        var timeout: Int64?
        switch (arguments.values["--timeout"], arguments.values["--timeout-ms"]) {
        case (_?, _?):
            throw UsageError("give --timeout or --timeout-ms, not both", command: "run")
        case (let seconds?, nil):
            guard let value = Double(seconds), value.isFinite, value > 0, value * 1000 < Double(Int64.max) else {
                throw UsageError("--timeout expects a positive number of seconds, e.g. 30 or 0.5, got \"\(seconds)\"", command: "run")
            }
            timeout = max(1, Int64((value * 1000).rounded()))
        case (nil, let milliseconds?):
            guard let value = Int64(milliseconds), value > 0 else {
                throw UsageError("--timeout-ms expects a positive whole number of milliseconds, got \"\(milliseconds)\"", command: "run")
            }
            timeout = value
        case (nil, nil):
            timeout = nil
        }
        return .run(skill: arguments.positionals[0], input: input, timeoutMilliseconds: timeout, model: arguments.values["--model"],
                    stream: arguments.flags.contains("--stream"))
    }

    private static func parseRuns(_ words: [String]) throws(UsageError) -> Command {
        let arguments = try CommandArguments(words, command: "runs", positionals: 0...0,
                                             valueOptions: ["--skill", "--status", "--limit", "--before"])
        var filter = RunsFilter(skill: arguments.values["--skill"])
        if let status = arguments.values["--status"] {
            guard runStatuses.contains(status) else {
                throw UsageError("--status expects one of \(runStatuses.joined(separator: ", ")), got \"\(status)\"", command: "runs")
            }
            filter.status = status
        }
        if let limit = arguments.values["--limit"] {
            guard let value = Int(limit), (1...1000).contains(value) else {
                throw UsageError("--limit expects a whole number from 1 to 1000, got \"\(limit)\"", command: "runs")
            }
            filter.limit = value
        }
        if let before = arguments.values["--before"] {
            guard let value = Int64(before), value > 0 else {
                throw UsageError("--before expects a run id (a positive whole number), got \"\(before)\"", command: "runs")
            }
            filter.before = value
        }
        return .runs(filter)
    }

    /// The one argument of `runs show ID` and `logs ID`.
    private static func parseRunID(_ words: [String], command: String) throws(UsageError) -> Int64 {
        let arguments = try CommandArguments(words, command: command, positionals: 1...1)
        guard let runID = Int64(arguments.positionals[0]), runID > 0 else {
            throw UsageError("\(command) expects a run id (a positive whole number), got \"\(arguments.positionals[0])\"",
                             command: command)
        }
        return runID
    }
}

/// A `skillctl batch ...` command, with its arguments checked.
enum BatchCommand: Equatable {
    /// `batch start SKILL (@FILE.jsonl | -)`: starts a batch, and by default waits for it.
    case start(BatchStart)
    /// `batch show ID`: the batch's record.
    case show(batchID: Int64)
    /// `batch items ID [--status S]`: its items in index order.
    case items(batchID: Int64, status: String?)
    /// `batch cancel ID`.
    case cancel(batchID: Int64)
    /// `batch results ID`: one JSON line per item, in item order.
    case results(batchID: Int64)

    /// The subcommands, in the order help lists them.
    static let names = ["start", "show", "items", "cancel", "results"]

    /// The item statuses `batch items --status` accepts.
    static let itemStatuses = ["pending", "running", "done", "failed", "cancelled"]

    /// Parses the words after `batch`.
    static func parse(_ words: [String]) throws(UsageError) -> BatchCommand {
        guard let name = words.first else {
            throw UsageError("batch needs a subcommand: \(names.joined(separator: ", "))", command: "batch")
        }
        let rest = Array(words.dropFirst())
        let label = "batch \(name)"
        switch name {
        case "start": return .start(try BatchStart.parse(rest))
        case "show": return .show(batchID: try batchID(rest, command: label))
        case "cancel": return .cancel(batchID: try batchID(rest, command: label))
        case "results": return .results(batchID: try batchID(rest, command: label))
        case "items":
            let arguments = try CommandArguments(rest, command: label, positionals: 1...1, valueOptions: ["--status"])
            let status = arguments.values["--status"]
            if let status, !itemStatuses.contains(status) {
                throw UsageError("--status expects one of \(itemStatuses.joined(separator: ", ")), got \"\(status)\"", command: label)
            }
            return .items(batchID: try id(arguments.positionals[0], command: label), status: status)
        default:
            throw UsageError("unknown batch subcommand \"\(name)\": the subcommands are \(names.joined(separator: ", "))",
                             command: "batch")
        }
    }

    private static func batchID(_ words: [String], command: String) throws(UsageError) -> Int64 {
        let arguments = try CommandArguments(words, command: command, positionals: 1...1)
        return try id(arguments.positionals[0], command: command)
    }

    private static func id(_ text: String, command: String) throws(UsageError) -> Int64 {
        guard let id = Int64(text), id > 0 else {
            throw UsageError("\(command) expects a batch id (a positive whole number), got \"\(text)\"", command: command)
        }
        return id
    }
}

/// The arguments of `batch start`.
struct BatchStart: Equatable {
    /// `NAME` or `NAME@VERSION`.
    var skill: String
    /// The JSONL file (`@FILE`), or nil for standard input (`-`).
    var inputFile: String?
    /// `--parallelism N`; nil: the daemon's default (1).
    var parallelism: Int?
    /// `--retries N`; nil: the daemon's default (2).
    var retries: Int?
    /// `--timeout SECONDS`, in milliseconds; nil: the daemon's default.
    var timeoutMilliseconds: Int64?
    /// Whether to wait for the batch to finish (not `--no-wait`).
    var wait: Bool

    /// Parses the words after `batch start`.
    static func parse(_ words: [String]) throws(UsageError) -> BatchStart {
        let command = "batch start"
        let arguments = try CommandArguments(words, command: command, positionals: 2...2,
                                             valueOptions: ["--parallelism", "--retries", "--timeout"], flags: ["--no-wait"])
        let source = arguments.positionals[1]
        let inputFile: String?
        if source == "-" {
            inputFile = nil
        } else if source.hasPrefix("@"), source.count > 1 {
            inputFile = String(source.dropFirst())
        } else {
            throw UsageError("the items come from @FILE.jsonl (one JSON value a line) or - (standard input), not \"\(source)\"",
                             command: command)
        }
        var start = BatchStart(skill: arguments.positionals[0], inputFile: inputFile, wait: !arguments.flags.contains("--no-wait"))
        if let text = arguments.values["--parallelism"] {
            guard let value = Int(text), (1...64).contains(value) else {
                throw UsageError("--parallelism expects a whole number from 1 to 64, got \"\(text)\"", command: command)
            }
            start.parallelism = value
        }
        if let text = arguments.values["--retries"] {
            guard let value = Int(text), (0...10).contains(value) else {
                throw UsageError("--retries expects a whole number from 0 to 10, got \"\(text)\"", command: command)
            }
            start.retries = value
        }
        if let text = arguments.values["--timeout"] {
            guard let value = Double(text), value.isFinite, value > 0, value * 1000 < Double(Int64.max) else {
                throw UsageError("--timeout expects a positive number of seconds, e.g. 30 or 0.5, got \"\(text)\"", command: command)
            }
            start.timeoutMilliseconds = max(1, Int64((value * 1000).rounded()))
        }
        return start
    }
}

/// A `skillctl inference ...` command, with its arguments checked.
enum InferenceCommand: Equatable {
    /// `inference` or `inference status`: every endpoint's health and load.
    case status
    /// `inference models`: the models and how many endpoints serve each.
    case models
    /// `inference attach MODEL URL ...`: adds an endpoint until the daemon stops.
    case attach(InferenceAttach)
    /// `inference detach NAME`: removes an endpoint.
    case detach(name: String)

    /// The subcommands, in the order help lists them.
    static let names = ["status", "models", "attach", "detach"]

    /// Parses the words after `inference`.
    static func parse(_ words: [String]) throws(UsageError) -> InferenceCommand {
        guard let name = words.first else { return .status }
        let rest = Array(words.dropFirst())
        let label = "inference \(name)"
        switch name {
        case "status":
            _ = try CommandArguments(rest, command: label, positionals: 0...0)
            return .status
        case "models":
            _ = try CommandArguments(rest, command: label, positionals: 0...0)
            return .models
        case "attach":
            return .attach(try InferenceAttach.parse(rest))
        case "detach":
            let arguments = try CommandArguments(rest, command: label, positionals: 1...1)
            return .detach(name: arguments.positionals[0])
        default:
            throw UsageError("unknown inference subcommand \"\(name)\": the subcommands are \(names.joined(separator: ", "))",
                             command: "inference")
        }
    }
}

/// The arguments of `inference attach`.
struct InferenceAttach: Equatable {
    /// The logical model the endpoint serves.
    var model: String
    /// The server's base URL.
    var url: String
    /// `--name N`; nil: the daemon names it `<model>-<n>`.
    var name: String?
    /// `--served-model M`; nil: the server's own model.
    var servedModel: String?
    /// `--api-key-env VAR`: a variable of the daemon's environment.
    var apiKeyEnvironmentVariable: String?
    /// `--api-key-file PATH`: a file the daemon reads (made absolute before sending).
    var apiKeyFile: String?
    /// `--max-concurrent N`; nil: the daemon's default (1).
    var maximumConcurrentRequests: Int?

    /// Parses the words after `inference attach`.
    static func parse(_ words: [String]) throws(UsageError) -> InferenceAttach {
        let command = "inference attach"
        let arguments = try CommandArguments(
            words, command: command, positionals: 2...2,
            valueOptions: ["--name", "--served-model", "--api-key-env", "--api-key-file", "--max-concurrent"])
        let url = arguments.positionals[1]
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw UsageError("URL must start with http:// or https://, got \"\(url)\"", command: command)
        }
        var attach = InferenceAttach(
            model: arguments.positionals[0], url: url, name: arguments.values["--name"],
            servedModel: arguments.values["--served-model"], apiKeyEnvironmentVariable: arguments.values["--api-key-env"],
            apiKeyFile: arguments.values["--api-key-file"])
        if attach.apiKeyEnvironmentVariable != nil, attach.apiKeyFile != nil {
            throw UsageError("give --api-key-env or --api-key-file, not both", command: command)
        }
        if let text = arguments.values["--max-concurrent"] {
            guard let value = Int(text), value >= 1, value <= Int(Int32.max) else {
                throw UsageError("--max-concurrent expects a whole number, at least 1, got \"\(text)\"", command: command)
            }
            attach.maximumConcurrentRequests = value
        }
        return attach
    }
}

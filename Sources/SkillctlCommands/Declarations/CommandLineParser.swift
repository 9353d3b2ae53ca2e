/// Reads a command line against a list of declared commands: global options first, then
/// a command (or a group and one of its commands), then that command's own arguments and
/// options. Pure: reads no files and no environment.
struct CommandLineParser: Sendable {
    /// The commands and groups, in the order help lists them.
    let commands: [CommandEntry]

    /// Parses the arguments after the program name.
    ///
    /// Global options (`--socket`, `--json`, `--help`, `--version`) come before the command;
    /// after it, each word is the command's, so `remove NAME --version V` is `remove`'s
    /// `--version`. `-h` or `--help` anywhere before `--` asks for the command's help.
    func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var socketPath: String?
        var json = false
        var wantsHelp = false
        var wantsVersion = false
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index] != "-" {
            let argument = arguments[index]
            index += 1
            switch argument {
            case GlobalOptions.json.declaration.name: json = true
            case _ where GlobalOptions.helpWords.contains(argument): wantsHelp = true
            case GlobalOptions.version.declaration.name: wantsVersion = true
            case GlobalOptions.socket.declaration.name:
                guard index < arguments.count, !arguments[index].isEmpty else {
                    throw UsageError("--socket needs a path, e.g. --socket /run/user/1000/skillhost/skillhostd.sock")
                }
                socketPath = arguments[index]
                index += 1
            case _ where argument.hasPrefix("--socket="):
                let path = String(argument.dropFirst("--socket=".count))
                guard !path.isEmpty else { throw UsageError("--socket needs a path") }
                socketPath = path
            default:
                throw UsageError("unknown option \(argument)")
            }
        }
        let words = Array(arguments[index...])
        let action: Invocation.Action
        if wantsHelp {
            action = .help(try helpTopic(words, strict: false))
        } else if wantsVersion {
            action = .version
        } else {
            action = try self.action(of: words)
        }
        return Invocation(socketPath: socketPath, json: json, action: action)
    }

    /// What the words after the global options ask for.
    private func action(of words: [String]) throws(UsageError) -> Invocation.Action {
        guard let first = words.first else {
            throw UsageError("no command given: try `skillctl status`, or one of \(commandNames)")
        }
        if first == "help" { return .help(try helpTopic(Array(words.dropFirst()), strict: true)) }
        switch try command(named: words) {
        case .groupHelp(let group):
            return .help(.group(group))
        case .command(let leaf, let rest) where Self.asksForHelp(rest):
            return .help(.command(leaf))
        case .command(let leaf, let rest):
            return .execute(try leaf.type.init(try Self.arguments(Array(rest), of: leaf)))
        }
    }

    /// Every command, each in its place, in the order help lists them.
    var leaves: [LeafCommand] {
        commands.flatMap(\.leaves)
    }

    /// "status, install, ...": the words that may follow the global options.
    var commandNames: String {
        commands.map(\.name).joined(separator: ", ")
    }

    // MARK: Commands

    /// What the words after the global options name.
    private enum Resolution {
        /// A command, and the words after its name.
        case command(LeafCommand, ArraySlice<String>)
        /// A group's name alone with `--help`.
        case groupHelp(CommandGroup)
    }

    /// The command `words` start with, and the words after its name: a group's name alone
    /// (or before options) is its default command.
    private func command(named words: [String]) throws(UsageError) -> Resolution {
        let rest = words.dropFirst()
        switch try entry(named: words[0]) {
        case .command(let type):
            return .command(LeafCommand(type: type, group: nil), rest)
        case .group(let group):
            if let next = rest.first, let leaf = group.subcommand(named: next) { return .command(leaf, rest.dropFirst()) }
            if Self.asksForHelp(rest) { return .groupHelp(group) }
            let subcommands = group.subcommandNames.joined(separator: ", ")
            if let next = rest.first, !next.hasPrefix("-") || next == "-" {
                throw UsageError("unknown \(group.name) subcommand \"\(next)\": the subcommands are \(subcommands)",
                                 command: group.name)
            }
            guard let leaf = group.defaultSubcommand.flatMap(group.subcommand(named:)) else {
                throw UsageError("\(group.name) needs a subcommand: \(subcommands)", command: group.name)
            }
            return .command(leaf, rest)
        }
    }

    /// Whether `words` ask for help: `-h` or `--help` before any `--`.
    private static func asksForHelp(_ words: ArraySlice<String>) -> Bool {
        words.prefix { $0 != "--" }.contains(where: GlobalOptions.helpWords.contains)
    }

    /// The entry named `name`.
    func entry(named name: String) throws(UsageError) -> CommandEntry {
        guard let entry = commands.first(where: { $0.name == name }) else {
            if name.hasPrefix("-") { throw UsageError("unknown option \(name)") }
            throw UsageError("unknown command \"\(name)\": the commands are \(commandNames)")
        }
        return entry
    }
}

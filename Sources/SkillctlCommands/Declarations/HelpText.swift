/// The help skillctl prints, made from the command list: the tool's, a group's, a command's.
struct HelpText: Sendable {
    /// The lines help is wrapped to.
    private static let width = 92
    /// The widest left column of a two-column list; longer entries put their text on the next line.
    private static let widestColumn = 30

    /// The commands help describes.
    let parser: CommandLineParser

    /// The help of `topic`, ending with a newline.
    func text(for topic: HelpTopic) -> String {
        switch topic {
        case .tool: tool
        case .group(let group): help(of: group)
        case .command(let leaf): help(of: leaf)
        }
    }

    /// The usage line of `leaf`: `skillctl install PATH [--force] ...`.
    static func usageLine(of leaf: LeafCommand) -> String {
        "skillctl \(leaf.synopsis)"
    }

    /// What skillctl is, in a line without a final period.
    static let toolSummary = "control skillhostd, the daemon that hosts LLM skills"
    /// Where results and errors go.
    static let outputStreams = "Results go to standard output, errors to standard error."
    /// Where the help of one command is.
    static let helpPointer = "`skillctl help COMMAND` or `skillctl COMMAND --help` explains one command."
    /// How errors look with `--json`.
    static let jsonErrors = """
        With --json, a daemon error is printed to standard error as one line of JSON
        ({"code", "message", "data": {"kind", ...}}).
        """

    private var tool: String {
        let commands = parser.leaves.map { leaf in (leaf.shortSynopsis, leaf.declaration.abstract) }
        let exitStatuses = ExitCode.allCases.map { ("\($0.rawValue)", $0.meaning) }
        return """
            skillctl: \(Self.toolSummary).

            usage: skillctl [--socket PATH] [--json] COMMAND [ARGUMENTS]

            Commands:
            \(Self.columns(commands))

            \(Self.globalOptions(title: "Global options"))

            Exit status:
            \(Self.columns(exitStatuses, widestColumn: 4))
            \(Self.jsonErrors)

            \(Self.outputStreams)
            \(Self.helpPointer)

            """
    }

    private func help(of group: CommandGroup) -> String {
        let names = group.subcommandNames.joined(separator: "|")
        let usage = group.defaultSubcommand == nil ? names : "[\(names)]"
        let commands = group.leaves.map { leaf in (leaf.shortSynopsis, leaf.declaration.abstract) }
        return """
            usage: skillctl \(group.name) \(usage) ...

            \(group.discussion ?? Self.sentence(group.abstract))

            Commands:
            \(Self.columns(commands))

            `skillctl \(group.name) COMMAND --help` explains one command.

            \(Self.globalOptions(title: "Global options, before the command"))

            """
    }

    private func help(of leaf: LeafCommand) -> String {
        let declaration = leaf.declaration
        var sections = ["usage: \(Self.usageLine(of: leaf))", declaration.discussion ?? Self.sentence(declaration.abstract)]
        let arguments = declaration.arguments.filter { !$0.help.isEmpty }.map { ($0.valueName, $0.help) }
        if !arguments.isEmpty { sections.append("Arguments:\n" + Self.columns(arguments)) }
        let options = declaration.options.map { ($0.synopsis, $0.help) }
            + [(GlobalOptions.helpSpelling(GlobalOptions.help.declaration), "show this help")]
        sections.append("Options:\n" + Self.columns(options))
        sections.append(Self.globalOptions(title: "Global options, before the command"))
        return sections.joined(separator: "\n\n") + "\n"
    }

    private static func globalOptions(title: String) -> String {
        "\(title):\n" + columns(GlobalOptions.all.map { (GlobalOptions.helpSpelling($0), $0.help) })
    }

    /// `text` as a sentence: a capital first letter and a final period.
    static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    /// Two columns, indented by two spaces: each entry, then its text wrapped beside it (or
    /// under it, when the entry is wider than `widestColumn`).
    private static func columns(_ rows: [(String, String)], widestColumn: Int = widestColumn) -> String {
        let column = min(rows.map(\.0.count).max() ?? 0, widestColumn) + 2
        let indent = String(repeating: " ", count: 2 + column)
        return rows.map { entry, text in
            let lines = wrapped(text, to: width - indent.count)
            let head = "  " + entry
            guard let first = lines.first else { return head }
            guard entry.count <= widestColumn else {
                return ([head] + lines.map { indent + $0 }).joined(separator: "\n")
            }
            let firstLine = head.padding(toLength: indent.count, withPad: " ", startingAt: 0) + first
            return ([firstLine] + lines.dropFirst().map { indent + $0 }).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    /// `text` broken into lines of at most `width` characters, between words.
    private static func wrapped(_ text: String, to width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + (line.isEmpty ? [] : [line])
    }
}

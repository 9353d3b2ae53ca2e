/// What completion scripts of every shell read off the command list: short descriptions,
/// and the commands in the order help lists them.
enum CompletionWords {
    /// `help` cut to its first clause (before a parenthesis, a colon, a semicolon or a
    /// sentence's end), on one line: what a completion menu shows beside a word.
    static func brief(_ help: String) -> String {
        let line = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let ends = [" (", ": ", "; ", ". "].compactMap { line.firstRange(of: $0)?.lowerBound }
        let brief = ends.min().map { String(line[..<$0]) } ?? line
        return brief.hasSuffix(".") ? String(brief.dropLast()) : brief
    }

    /// The option that asks a command for its help, which every command takes.
    static let help = OptionDeclaration(name: GlobalOptions.help.declaration.name, valueName: nil, help: "show this help",
                                        completion: nil, isRequired: false, example: nil)

    /// A command's options as a shell offers them: its own, then `--help`.
    static func options(of leaf: LeafCommand) -> [OptionDeclaration] {
        leaf.declaration.options + [help]
    }

    /// What a word of the command line names, as the scripts' value completers spell it:
    /// `skill`, `file so`, `choices process inprocess`; `nil` when nothing can be offered.
    static func kind(of completion: ValueCompletion) -> [String]? {
        switch completion {
        case .text, .runID, .batchID, .scheduleID, .model, .endpoint: nil
        case .skill: ["skill"]
        case .file(let extensions): ["file"] + extensions
        case .input(let extensions): ["input"] + extensions
        case .choices(let words): ["choices"] + words
        case .timeZone: ["time-zone"]
        }
    }
}

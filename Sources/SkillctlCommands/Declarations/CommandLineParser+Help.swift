extension CommandLineParser {
    /// The help `words` ask for: `help WORDS` when `strict` (every word must name a
    /// command), `--help WORDS` otherwise (words after a command's name are ignored).
    func helpTopic(_ words: [String], strict: Bool) throws(UsageError) -> HelpTopic {
        guard let first = words.first else { return .tool }
        let noHelp = UsageError("no help for \"\(words.joined(separator: " "))\": the commands are \(commandNames)")
        guard let entry = commands.first(where: { $0.name == first }) else {
            if strict { throw noHelp }
            _ = try self.entry(named: first)
            return .tool
        }
        switch entry {
        case .command(let type):
            if strict, words.count > 1 { throw noHelp }
            return .command(LeafCommand(type: type, group: nil))
        case .group(let group):
            guard let second = words.dropFirst().first else { return .group(group) }
            if let leaf = group.subcommand(named: second), !strict || words.count == 2 { return .command(leaf) }
            if strict { throw noHelp }
            return .group(group)
        }
    }
}

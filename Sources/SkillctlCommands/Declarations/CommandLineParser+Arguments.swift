extension CommandLineParser {
    /// Sorts the words after a command's name into its declared arguments, options and
    /// flags: `--name VALUE` or `--name=VALUE` for an option, `--` ends options, `-` is an
    /// argument.
    /// - Throws: on an unknown option, an option without its value, too few or too many
    ///   arguments, exclusive options given together, or a required option missing.
    static func arguments(_ words: [String], of leaf: LeafCommand) throws(UsageError) -> ParsedArguments {
        let declaration = leaf.declaration
        let command = leaf.path
        var positionals: [String] = []
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            let name = String(word.prefix { $0 != "=" })
            let inlineValue = word.count > name.count ? String(word.dropFirst(name.count + 1)) : nil
            switch declaration.option(named: name) {
            case let option? where option.valueName != nil:
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index < words.count else { throw UsageError("\(name) needs a value", command: command) }
                    values[name] = words[index]
                    index += 1
                }
            case _? where inlineValue == nil:
                flags.insert(name)
            default:
                throw unknownOption(word, named: name, of: leaf)
            }
        }

        let usage = "usage is `skillctl \(leaf.synopsis)`"
        let required = declaration.arguments.filter { !$0.isOptional }.count
        if positionals.count < required {
            throw UsageError("missing arguments: \(usage)", command: command)
        }
        if positionals.count > declaration.arguments.count {
            let advice = declaration.surplusAdvice?(positionals)
                ?? "unexpected argument \"\(positionals[declaration.arguments.count])\": \(usage)"
            throw UsageError(advice, command: command)
        }
        for set in declaration.exclusiveOptions {
            let given = set.filter { values[$0] != nil || flags.contains($0) }
            if given.count > 1 {
                throw UsageError("give \(set.joined(separator: " or ")), not \(set.count == 2 ? "both" : "several")",
                                 command: command)
            }
        }
        for option in declaration.options where option.isRequired && values[option.name] == nil {
            throw UsageError("\(command) needs \(option.synopsis)" + (option.example.map { ", e.g. \(option.name) \($0)" } ?? ""),
                             command: command)
        }
        let named = Dictionary(uniqueKeysWithValues: zip(declaration.arguments.map(\.valueName), positionals))
        return ParsedArguments(commandPath: command, positionals: named, values: values, flags: flags)
    }

    /// An option the command does not take: the ones it does, or where a global option goes.
    private static func unknownOption(_ word: String, named name: String, of leaf: LeafCommand) -> UsageError {
        if let global = GlobalOptions.all.first(where: { $0.name == name }) {
            return UsageError("\(name) is an option of skillctl itself: put it before the command, "
                              + "e.g. `skillctl \(global.synopsis) \(leaf.path) ...`", command: leaf.path)
        }
        let known = leaf.declaration.options.map(\.name).sorted().joined(separator: ", ")
        return UsageError("unknown option \(word) for `skillctl \(leaf.path)`"
                          + (known.isEmpty ? " (it takes none)" : " (it takes \(known))"), command: leaf.path)
    }
}

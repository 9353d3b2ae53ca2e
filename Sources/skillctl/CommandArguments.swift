/// The arguments of one command: positionals, options with a value (`--name VALUE` or
/// `--name=VALUE`) and flags, each checked against what the command takes.
struct CommandArguments {
    /// The positional arguments, in order.
    private(set) var positionals: [String] = []
    /// The options given with a value; a repeated option keeps its last value.
    private(set) var values: [String: String] = [:]
    /// The flags given.
    private(set) var flags: Set<String> = []

    /// Parses `words` for `command`.
    /// - Throws: on an unknown option, an option without its value, or a number of
    ///   positionals outside `positionals`.
    init(_ words: [String], command: String, positionals allowed: ClosedRange<Int>,
         valueOptions: Set<String> = [], flags knownFlags: Set<String> = []) throws(UsageError) {
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
            let name = String(word.prefix(while: { $0 != "=" }))
            let inlineValue = word.count > name.count ? String(word.dropFirst(name.count + 1)) : nil
            if valueOptions.contains(name) {
                if let inlineValue {
                    values[name] = inlineValue
                } else {
                    guard index < words.count else {
                        throw UsageError("\(name) needs a value", command: command)
                    }
                    values[name] = words[index]
                    index += 1
                }
            } else if knownFlags.contains(name), inlineValue == nil {
                flags.insert(name)
            } else {
                let known = (valueOptions.union(knownFlags).sorted()).joined(separator: ", ")
                throw UsageError("unknown option \(word) for `skillctl \(command)`"
                                 + (known.isEmpty ? " (it takes none)" : " (it takes \(known))"), command: command)
            }
        }
        guard allowed.contains(positionals.count) else {
            let expected = Help.usageLine(for: command)
            let problem = positionals.count < allowed.lowerBound
                ? "missing arguments"
                : "unexpected argument \"\(positionals[allowed.upperBound])\""
            throw UsageError("\(problem): usage is `\(expected)`", command: command)
        }
    }
}

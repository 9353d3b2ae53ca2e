/// A command in its place: under a group or not, and what that makes of its words and
/// usage line.
struct LeafCommand: Sendable {
    /// The command.
    let type: any SkillctlCommand.Type
    /// The group it belongs to, if any.
    let group: CommandGroup?

    /// Its declaration.
    var declaration: CommandDeclaration {
        type.declaration
    }

    /// The words that name it after `skillctl`: `runs show`.
    var path: String {
        [group?.name, declaration.name].compactMap { $0 }.joined(separator: " ")
    }

    /// Whether it runs when its group's name comes alone.
    var isDefault: Bool {
        group?.defaultSubcommand == declaration.name
    }

    /// How it is typed, without `skillctl`: `runs [list] [--skill S] ...`, `install PATH [--force] ...`.
    var synopsis: String {
        ([group?.name, nameWord].compactMap { $0 } + argumentWords + optionWords).joined(separator: " ")
    }

    /// Its name and arguments, without options: `batch start SKILL @FILE.jsonl|-`.
    var shortSynopsis: String {
        ([group?.name, nameWord].compactMap { $0 } + argumentWords).joined(separator: " ")
    }

    /// Its own name, in brackets when its group's name alone runs it.
    private var nameWord: String {
        isDefault ? "[\(declaration.name)]" : declaration.name
    }

    private var argumentWords: [String] {
        declaration.arguments.map { $0.isOptional ? "[\($0.valueName)]" : $0.valueName }
    }

    /// Options in usage order: required ones bare, others in brackets, exclusive ones
    /// together (`[--timeout SECONDS | --timeout-ms MS]`), each in the place of its first.
    private var optionWords: [String] {
        let declaration = declaration
        var words: [String] = []
        var written: Set<String> = []
        for option in declaration.options where !written.contains(option.name) {
            if let set = declaration.exclusiveOptions.first(where: { $0.contains(option.name) }) {
                let members = set.compactMap(declaration.option(named:))
                words.append("[" + members.map(\.synopsis).joined(separator: " | ") + "]")
                written.formUnion(set)
            } else {
                words.append(option.isRequired ? option.synopsis : "[\(option.synopsis)]")
                written.insert(option.name)
            }
        }
        return words
    }
}

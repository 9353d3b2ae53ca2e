/// An option of a command (`--limit N`) or a flag (`--force`) as help, the parser and
/// completions see it, whatever its value's type.
struct OptionDeclaration: Equatable, Sendable {
    /// The name typed, with its dashes: `--memory-limit`.
    let name: String
    /// The value's name in usage lines (`SIZE`); `nil` for a flag, which takes none.
    let valueName: String?
    /// What it does, for help.
    let help: String
    /// What its value names, for completions; `nil` for a flag.
    let completion: ValueCompletion?
    /// Whether the command refuses to run without it.
    let isRequired: Bool
    /// A value to show when it is missing, as the user would type it: `'30 6 * * MON-FRI'`.
    let example: String?

    /// How usage lines spell it: `--limit N`, `--force`.
    var synopsis: String {
        valueName.map { "\(name) \($0)" } ?? name
    }
}

/// A declaration of an option or a flag, whatever its value's type.
protocol DeclaresOption: Sendable {
    /// The option as help and the parser see it.
    var declaration: OptionDeclaration { get }
}

/// An option that takes a value, read as a `Value`: `--limit N`, or `--limit=N`.
struct Option<Value: Sendable>: DeclaresOption {
    let declaration: OptionDeclaration
    /// How its value is read.
    let kind: ValueKind<Value>

    /// An option named `name` (with its dashes), its value named `valueName` in usage (the
    /// kind's own name when `nil`).
    init(_ name: String, _ valueName: String? = nil, kind: ValueKind<Value>, isRequired: Bool = false,
         example: String? = nil, help: String) {
        declaration = OptionDeclaration(name: name, valueName: valueName ?? kind.valueName, help: help,
                                        completion: kind.completion, isRequired: isRequired, example: example)
        self.kind = kind
    }
}

/// An option that takes no value: present or not.
struct Flag: DeclaresOption {
    let declaration: OptionDeclaration

    /// A flag named `name`, with its dashes.
    init(_ name: String, help: String) {
        declaration = OptionDeclaration(name: name, valueName: nil, help: help, completion: nil, isRequired: false,
                                        example: nil)
    }
}

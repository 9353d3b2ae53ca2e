/// A positional argument of a command as help, the parser and completions see it,
/// whatever its value's type.
struct ArgumentDeclaration: Equatable, Sendable {
    /// Its name in usage lines and help: `PATH`, `NAME[@VERSION]`.
    let valueName: String
    /// What it is, for help.
    let help: String
    /// What it names, for completions.
    let completion: ValueCompletion
    /// Whether the command runs without it.
    let isOptional: Bool
}

/// A declaration of a positional argument, whatever its value's type.
protocol DeclaresArgument: Sendable {
    /// The argument as help and the parser see it.
    var declaration: ArgumentDeclaration { get }
}

/// A positional argument whose text is read as a `Value`.
struct Argument<Value: Sendable>: DeclaresArgument {
    let declaration: ArgumentDeclaration
    /// How its text is read.
    let kind: ValueKind<Value>

    /// An argument named `valueName` in usage (the kind's own name when `nil`).
    init(_ valueName: String? = nil, kind: ValueKind<Value>, isOptional: Bool = false, help: String) {
        declaration = ArgumentDeclaration(valueName: valueName ?? kind.valueName, help: help, completion: kind.completion,
                                          isOptional: isOptional)
        self.kind = kind
    }
}

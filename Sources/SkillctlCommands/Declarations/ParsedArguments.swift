/// The words of one command, sorted by the parser into its declared arguments, options
/// and flags; a command reads its values from here through its declarations.
struct ParsedArguments: Sendable {
    /// The words that name the command after `skillctl`: `runs show`.
    let commandPath: String
    /// The positional arguments given, by their value names.
    private let positionals: [String: String]
    /// The options given with a value, by name; a repeated option keeps its last value.
    private let values: [String: String]
    /// The flags given, by name.
    private let flags: Set<String>

    init(commandPath: String, positionals: [String: String], values: [String: String], flags: Set<String>) {
        self.commandPath = commandPath
        self.positionals = positionals
        self.values = values
        self.flags = flags
    }

    /// The value of `argument`, or `nil` when it was not given.
    /// - Throws: when its text is not of its kind.
    func value<Value>(_ argument: Argument<Value>) throws(UsageError) -> Value? {
        try positionals[argument.declaration.valueName].map { text throws(UsageError) in
            try read(text, as: argument.kind, label: commandPath)
        }
    }

    /// The value of `argument`, which the parser saw given.
    /// - Throws: when its text is not of its kind.
    func required<Value>(_ argument: Argument<Value>) throws(UsageError) -> Value {
        guard let value = try value(argument) else {
            preconditionFailure("\(commandPath): the parser let \(argument.declaration.valueName) go missing")
        }
        return value
    }

    /// The value of `option`, or `nil` when it was not given.
    /// - Throws: when its text is not of its kind.
    func value<Value>(_ option: Option<Value>) throws(UsageError) -> Value? {
        try values[option.declaration.name].map { text throws(UsageError) in
            try read(text, as: option.kind, label: option.declaration.name)
        }
    }

    /// The value of a required `option`, which the parser saw given.
    /// - Throws: when its text is not of its kind.
    func required<Value>(_ option: Option<Value>) throws(UsageError) -> Value {
        guard let value = try value(option) else {
            preconditionFailure("\(commandPath): the parser let \(option.declaration.name) go missing")
        }
        return value
    }

    /// The text `option` was given with, as typed, or `nil` when it was not given.
    func text(of option: some DeclaresOption) -> String? {
        values[option.declaration.name]
    }

    /// Whether `flag` was given.
    func isSet(_ flag: Flag) -> Bool {
        flags.contains(flag.declaration.name)
    }

    /// A usage error of this command, whose help explains it.
    func error(_ message: String) -> UsageError {
        UsageError(message, command: commandPath)
    }

    private func read<Value>(_ text: String, as kind: ValueKind<Value>, label: String) throws(UsageError) -> Value {
        do {
            return try kind.read(text)
        } catch {
            switch error {
            case .unexpected: throw self.error("\(label) expects \(kind.expectation), got \"\(text)\"")
            case .explained(let message): throw self.error(message)
            }
        }
    }
}

/// One command of skillctl: its declaration, how it is made from a parsed command line,
/// and what it does. Adding a command is adding one type that conforms, and listing it
/// in ``SkillctlCommandList``.
protocol SkillctlCommand: Sendable {
    /// Its name, help, arguments and options.
    static var declaration: CommandDeclaration { get }

    /// The command that `arguments` ask for, its values read through the declaration's
    /// arguments and options.
    /// - Throws: when a value is not of its kind, or values do not go together.
    init(_ arguments: ParsedArguments) throws(UsageError)

    /// Does what the command asks and prints the outcome; returns skillctl's exit status.
    func execute(in context: CommandContext) async -> ExitCode
}

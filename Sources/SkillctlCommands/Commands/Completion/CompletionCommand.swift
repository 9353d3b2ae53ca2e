/// `skillctl completion bash|zsh|fish`: prints a shell completion script made from the
/// command list (no daemon is asked).
struct CompletionCommand: SkillctlCommand, Equatable {
    static let shell = Argument(kind: .choice(CompletionShell.allCases.map(\.rawValue)), help: "the shell the script is for")

    static let declaration = CommandDeclaration(
        name: "completion", abstract: "prints a completion script for bash, zsh or fish",
        discussion: """
            Prints a script that completes skillctl's commands, options and their values in
            that shell, made from skillctl's own commands; installed skill names come from the
            daemon as you type (`skillctl list --names`, honouring --socket). To use it now:

              bash: source <(skillctl completion bash)
              zsh:  source <(skillctl completion zsh)   (after compinit)
              fish: skillctl completion fish | source

            scripts/install puts the three in the places each shell looks.
            """,
        arguments: [shell])

    /// The shell the script is for.
    var shell: CompletionShell

    init(_ arguments: ParsedArguments) throws(UsageError) {
        let name = try arguments.required(Self.shell)
        guard let shell = CompletionShell(rawValue: name) else {
            preconditionFailure("the choice of shells let \(name) through")
        }
        self.shell = shell
    }

    func execute(in context: CommandContext) async -> ExitCode {
        Console.output(shell.script(for: SkillctlCommandList.parser))
        return .success
    }
}

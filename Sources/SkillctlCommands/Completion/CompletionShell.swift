/// A shell that `skillctl completion` writes a completion script for.
enum CompletionShell: String, CaseIterable, Sendable {
    case bash, zsh, fish

    /// The script that teaches this shell skillctl's command line, made from `parser`'s
    /// commands; installed skill names are asked of the daemon as the script runs.
    func script(for parser: CommandLineParser) -> String {
        switch self {
        case .bash: BashCompletionScript(parser: parser).text
        case .zsh: ZshCompletionScript(parser: parser).text
        case .fish: FishCompletionScript(parser: parser).text
        }
    }
}

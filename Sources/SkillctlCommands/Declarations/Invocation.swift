/// What the command line asks for, parsed but not yet acted on.
struct Invocation: Sendable {
    /// What to do.
    enum Action: Sendable {
        /// Print help.
        case help(HelpTopic)
        /// Print skillctl's version.
        case version
        /// Carry out a command.
        case execute(any SkillctlCommand)
    }

    /// `--socket PATH`, if given.
    let socketPath: String?
    /// `--json`: print the daemon's JSON as it comes, for programs.
    let json: Bool
    /// What to do.
    let action: Action
}

/// Whose help to print.
enum HelpTopic: Sendable {
    /// The tool's: every command, the global options, the exit statuses.
    case tool
    /// A group's: its commands.
    case group(CommandGroup)
    /// One command's: its usage, arguments and options.
    case command(LeafCommand)
}

/// The options of skillctl itself, which come before the command: `skillctl --json runs`.
enum GlobalOptions {
    /// `--socket PATH`.
    static let socket = Option("--socket", kind: .file("PATH"), help: """
        the daemon's socket (default: $SKILLHOST_SOCKET, else $XDG_RUNTIME_DIR/skillhost/skillhostd.sock, \
        else /tmp/skillhost-UID/skillhostd.sock)
        """)
    /// `--json`.
    static let json = Flag("--json", help: "print results as JSON, for programs (the daemon's result as it is)")
    /// `-h`, `--help`.
    static let help = Flag("--help", help: "show help (also after a command)")
    /// `--version`.
    static let version = Flag("--version", help: "print skillctl's version")

    /// Every global option, in the order help lists them.
    static let all: [OptionDeclaration] = [socket.declaration, json.declaration, help.declaration, version.declaration]

    /// The words that ask for help, before or after a command.
    static let helpWords: Set<String> = ["-h", help.declaration.name]

    /// How help spells an option, `-h, --help` for help.
    static func helpSpelling(_ option: OptionDeclaration) -> String {
        option.name == help.declaration.name ? "-h, \(option.synopsis)" : option.synopsis
    }
}

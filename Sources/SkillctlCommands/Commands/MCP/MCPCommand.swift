import MCP

/// `skillctl mcp`: an MCP server on standard input and output, each installed skill a tool.
struct MCPCommand: SkillctlCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "mcp",
        abstract: "serves the installed skills as MCP tools on standard input and output, for an MCP host",
        discussion: """
            Speaks the Model Context Protocol on standard input and output (one JSON-RPC message
            a line), for an MCP host such as an editor or a desktop assistant to launch: its
            configuration runs `skillctl mcp` (with --socket when the daemon is not at its
            default place). Each installed skill is a tool, with its description and the input
            and output schemas of its descriptor; calling it runs the skill's highest version
            on the arguments. A client that asks for progress gets a notification for each
            piece of output and each log line; cancelling a call cancels its run; installing or
            removing a skill tells the client that the tools changed. Nothing but the protocol
            is written to standard output; problems go to standard error. It ends when standard
            input does.
            """)

    init(_ arguments: ParsedArguments) {}

    func execute(in context: CommandContext) async -> ExitCode {
        let skillhost = UnixSocketSkillhost(socketPath: context.socketPath, describing: Console.message(for:))
        await MCPStandardIO.serve(skillhost) { Console.warning("mcp: \($0)") }
        return .success
    }
}

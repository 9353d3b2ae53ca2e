import SkillhostProtocol

/// `skillctl status`: the daemon's state.
struct StatusCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "status",
        abstract: "the daemon's version, uptime, counts, models and endpoints",
        discussion: "Shows the daemon's version, uptime, socket, data directory, counts, models and inference endpoints, "
            + "and the in-process skill threads still running past the end of their runs (stuck threads: nothing "
            + "can stop them until their skill returns).")

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> HostStatusRequest {
        HostStatusRequest()
    }

    func render(_ result: HostStatus) -> String {
        StatusOutput.render(result)
    }
}

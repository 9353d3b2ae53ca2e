import SkillhostProtocol

/// `skillctl status`: the daemon's state.
struct StatusCommand: DaemonRequestCommand, Equatable {
    static let declaration = CommandDeclaration(
        name: "status",
        abstract: "the daemon's version, uptime, counts, models and endpoints, and the last reload",
        discussion: "Shows the daemon's version, uptime, socket, data directory, counts, models and inference endpoints, "
            + "and the in-process skill threads still running past the end of their runs (stuck threads: nothing "
            + "can stop them until their skill returns), the last reload of the config file (SIGHUP: when, from "
            + "which file, what it changed or why it was refused) and the settings that wait for a restart.")

    init(_ arguments: ParsedArguments) {}

    func request(in context: CommandContext) -> HostStatusRequest {
        HostStatusRequest()
    }

    func render(_ result: HostStatus) -> String {
        StatusOutput.render(result)
    }
}

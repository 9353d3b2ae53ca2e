/// A word that may follow `skillctl`'s global options: a command, or a group of them.
enum CommandEntry: Sendable {
    /// A command of its own: `status`.
    case command(any SkillctlCommand.Type)
    /// A group of commands: `batch`.
    case group(CommandGroup)

    /// The word that names it.
    var name: String {
        switch self {
        case .command(let type): type.declaration.name
        case .group(let group): group.name
        }
    }

    /// The commands it stands for: itself, or the group's.
    var leaves: [LeafCommand] {
        switch self {
        case .command(let type): [LeafCommand(type: type, group: nil)]
        case .group(let group): group.leaves
        }
    }
}

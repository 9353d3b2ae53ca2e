/// A word that groups commands (`batch start`, `batch show`, ...), with the one that runs
/// when the group's name comes alone, if any (`schedules` lists schedules).
struct CommandGroup: Sendable {
    /// The group's word.
    let name: String
    /// What its commands are about, in one line without a final period.
    let abstract: String
    /// Paragraphs that explain them together, for the group's help.
    let discussion: String?
    /// Its commands, in the order help lists them.
    let subcommands: [any SkillctlCommand.Type]
    /// The name of the command that runs when none is named; `nil` when one must be.
    let defaultSubcommand: String?

    init(name: String, abstract: String, discussion: String? = nil, subcommands: [any SkillctlCommand.Type],
         defaultSubcommand: String? = nil) {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        precondition(defaultSubcommand.map { name in subcommands.contains { $0.declaration.name == name } } ?? true,
                     "\(name): the default subcommand is not one of its subcommands")
    }

    /// Its commands, each with its place under the group.
    var leaves: [LeafCommand] {
        subcommands.map { LeafCommand(type: $0, group: self) }
    }

    /// The command named `name`, if the group has it.
    func subcommand(named name: String) -> LeafCommand? {
        leaves.first { $0.declaration.name == name }
    }

    /// `start|show|items|cancel|results`.
    var subcommandNames: [String] {
        subcommands.map { $0.declaration.name }
    }
}

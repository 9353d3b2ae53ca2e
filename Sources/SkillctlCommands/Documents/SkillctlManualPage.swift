import Roff
import SkillhostModel

/// skillctl(1), made from the command list: every command with its arguments and options,
/// the global options and the exit statuses, as `--help` tells them.
package enum SkillctlManualPage {
    /// The page's roff source.
    package static var roff: String {
        let parser = SkillctlCommandList.parser
        var page = ManualPage(name: "skillctl", section: 1, source: "skillhost \(SkillhostRelease.version)",
                              manual: "skillhost manual")
        page.nameSection(summary: HelpText.toolSummary)

        page.section("Synopsis")
        page.line(.usage("skillctl [--socket PATH] [--json] COMMAND [ARGUMENTS]"))
        page.line(.usage("skillctl help [COMMAND]"))
        page.line(.usage("skillctl --version"))

        page.section("Description")
        page.paragraphs("""
            skillctl talks to skillhostd(8) over its Unix socket in JSON-RPC 2.0: it installs skills,
            runs them, and shows what the daemon recorded. \(HelpText.outputStreams) \(HelpText.helpPointer)
            """)

        page.section("Global options")
        page.paragraphs("They come before the command: `skillctl --json runs`.")
        for option in GlobalOptions.all {
            page.item(tag(of: option), option.help)
        }

        page.section("Commands")
        for entry in parser.commands {
            switch entry {
            case .command(let type):
                describe(LeafCommand(type: type, group: nil), on: &page)
            case .group(let group):
                page.subsection(.bold(group.name))
                page.paragraphs(group.discussion ?? HelpText.sentence(group.abstract))
                if let name = group.defaultSubcommand {
                    page.paragraphs("`skillctl \(group.name)` alone runs `skillctl \(group.name) \(name)`.")
                }
                for leaf in group.leaves {
                    describe(leaf, on: &page)
                }
            }
        }

        page.section("Exit status")
        for code in ExitCode.allCases {
            page.item(.bold("\(code.rawValue)"), code.meaning)
        }
        page.paragraphs(HelpText.jsonErrors)

        page.section("Environment")
        page.item(.bold(SkillhostSocketPath.environmentVariable), "the daemon's socket, unless --socket names one")
        page.item(.bold("XDG_RUNTIME_DIR"),
                  "without either: the socket is `$XDG_RUNTIME_DIR/skillhost/skillhostd.sock`, else `/tmp/skillhost-UID/skillhostd.sock`")

        page.section("See also")
        page.paragraphs("skillhostd(8)")
        return page.rendered
    }

    /// One command: its usage line, what it does, its arguments and options.
    private static func describe(_ leaf: LeafCommand, on page: inout ManualPage) {
        let declaration = leaf.declaration
        page.subsection(.bold(leaf.path))
        page.line(.usage(HelpText.usageLine(of: leaf)))
        page.paragraphs(declaration.discussion ?? HelpText.sentence(declaration.abstract))
        for argument in declaration.arguments where !argument.help.isEmpty {
            page.item(.usage(argument.valueName), argument.help)
        }
        for option in declaration.options {
            page.item(tag(of: option), option.help)
        }
    }

    /// How an option is tagged in a list: `--limit N`, `-h, --help`.
    private static func tag(of option: OptionDeclaration) -> Markup {
        .usage(GlobalOptions.helpSpelling(option))
    }
}

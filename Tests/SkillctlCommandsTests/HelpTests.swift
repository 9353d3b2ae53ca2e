@testable import SkillctlCommands
import Testing

/// Help made from the command list: every command's, every group's, and the tool's.
@Suite("skillctl's help")
struct HelpTests {
    private static let help = HelpText(parser: SkillctlCommandList.parser)

    /// The help `words` ask for, rendered.
    private static func helpText(_ words: [String]) throws -> String {
        guard case .help(let topic) = try parse(words).action else {
            Issue.record("\(words) does not ask for help")
            throw ParseMismatch()
        }
        return help.text(for: topic)
    }

    @Test("every command has help, the same by `help COMMAND`, `COMMAND --help` and `COMMAND -h`, with all it takes",
          arguments: SkillctlCommandList.parser.leaves.map(\.path))
    func commandHelp(path: String) throws {
        let words = path.split(separator: " ").map(String.init)
        let leaf = try #require(SkillctlCommandList.parser.leaves.first { $0.path == path })
        let text = try Self.helpText(["help"] + words)
        #expect(try Self.helpText(words + ["--help"]) == text)
        #expect(try Self.helpText(words + ["-h"]) == text)
        #expect(try Self.helpText(["--help"] + words) == text)
        #expect(text.hasPrefix("usage: skillctl \(leaf.synopsis)\n"))
        for argument in leaf.declaration.arguments {
            #expect(text.contains("  \(argument.valueName)"), "\(path)'s help lacks its argument \(argument.valueName)")
        }
        for option in leaf.declaration.options {
            #expect(text.contains("  \(option.synopsis)"), "\(path)'s help lacks its option \(option.synopsis)")
        }
        #expect(text.contains("--socket PATH"), "\(path)'s help lacks the global options")
    }

    @Test("--help wins over the rest of a command line, even a wrong one")
    func helpWins() throws {
        let remove = try Self.helpText(["help", "remove"])
        #expect(try Self.helpText(["remove", "echo", "--version", "1.0.0", "--help"]) == remove)
        #expect(try Self.helpText(["remove", "--bogus", "--help"]) == remove)
        #expect(remove.contains("  --version V  remove only this version"))
        if case .help = try parse(["run", "echo", "--", "--help"]).action {
            Issue.record("after --, --help is the skill's input")
        }
    }

    @Test("a group's help lists its commands", arguments: SkillctlCommandList.entries.compactMap { entry -> String? in
        if case .group(let group) = entry { return group.name }
        return nil
    })
    func groupHelp(name: String) throws {
        let text = try Self.helpText(["help", name])
        #expect(try Self.helpText([name, "--help"]) == text)
        guard case .group(let group) = try #require(SkillctlCommandList.entries.first { $0.name == name }) else {
            throw ParseMismatch()
        }
        #expect(text.hasPrefix("usage: skillctl \(name) "))
        for leaf in group.leaves {
            #expect(text.contains("  \(leaf.shortSynopsis)"), "\(name)'s help lacks \(leaf.path)")
        }
    }

    @Test("the tool's help lists every command, the global options and the exit statuses")
    func toolHelp() throws {
        let text = try Self.helpText(["--help"])
        #expect(try Self.helpText(["help"]) == text)
        for leaf in SkillctlCommandList.parser.leaves {
            let entry = "\n  \(leaf.shortSynopsis)"
            #expect(text.contains(entry + " ") || text.contains(entry + "\n"), "the tool's help lacks \(leaf.path)")
        }
        for option in GlobalOptions.all {
            #expect(text.contains(option.synopsis))
        }
        for status in ExitCode.allCases {
            let number = "\(status.rawValue)".padding(toLength: 4, withPad: " ", startingAt: 0)
            #expect(text.contains("\n  \(number)\(status.meaning)\n"), "the tool's help lacks exit status \(status.rawValue) on one line")
        }
    }

    @Test("usage lines show optional arguments, required and exclusive options as they are")
    func usageLines() throws {
        func usage(_ path: String) throws -> String {
            HelpText.usageLine(of: try #require(SkillctlCommandList.parser.leaves.first { $0.path == path }))
        }
        #expect(try usage("run") == "skillctl run SKILL [INPUT|-|@FILE] [--timeout SECONDS | --timeout-ms MS] [--model NAME] [--stream | --detach]")
        #expect(try usage("runs list") == "skillctl runs [list] [--skill S] [--status ST] [--limit N] [--before ID]")
        #expect(try usage("schedules add").hasPrefix("skillctl schedules add SKILL [INPUT|@FILE] --cron EXPR [--tz ZONE]"))
        #expect(try usage("remove") == "skillctl remove NAME[@VERSION] [--version V]")
    }
}

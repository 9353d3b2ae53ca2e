import Foundation
@testable import SkillctlCommands
import SkillhostModel
import Testing
import TestSupport

/// `skillctl completion bash|zsh|fish`, run by the real shells: bash through its
/// completion variables, fish through `complete -C`, zsh loaded with its completion system.
@Suite("the completion scripts, in bash, zsh and fish")
struct CompletionScriptTests {
    private let driver: ShellCompletionDriver
    private static let parser = SkillctlCommandList.parser

    init() throws {
        driver = try ShellCompletionDriver()
    }

    /// The groups of the command list.
    private static var groups: [CommandGroup] {
        parser.commands.compactMap { entry in
            if case .group(let group) = entry { group } else { nil }
        }
    }

    /// Every command's options as typed with two dashes, `--help` included, sorted.
    private static func longOptions(of leaf: LeafCommand) -> [String] {
        (leaf.declaration.options.map(\.name) + ["--help"]).sorted()
    }

    @Test("bash: the commands, then a group's commands, with global options before them")
    func bashCommands() async throws {
        let names = Self.parser.commands.map(\.name).sorted()
        #expect(try await driver.bash("skillctl ") == names)
        #expect(try await driver.bash("skillctl in") == ["inference", "install"])
        #expect(try await driver.bash("skillctl --socket /tmp/s.sock --json ") == names)
        #expect(try await driver.bash("skillctl --") == ["--help", "--json", "--socket", "--version"])
        for group in Self.groups {
            #expect(try await driver.bash("skillctl \(group.name) ") == group.subcommandNames.sorted(), "\(group.name)")
        }
    }

    @Test("bash: every command's options, as the command list declares them",
          arguments: SkillctlCommandList.parser.leaves.map(\.path))
    func bashOptions(path: String) async throws {
        let leaf = try #require(Self.parser.leaves.first { $0.path == path })
        #expect(try await driver.bash("skillctl \(path) --") == Self.longOptions(of: leaf))
        if let group = leaf.group, leaf.isDefault {
            #expect(try await driver.bash("skillctl \(group.name) --") == Self.longOptions(of: leaf),
                    "\(group.name) alone runs \(path): its options")
        }
    }

    @Test("bash: every value that is one of a few words, after its option or as an argument")
    func bashChoices() async throws {
        for leaf in Self.parser.leaves {
            for option in leaf.declaration.options {
                guard case .choices(let words) = option.completion else { continue }
                #expect(try await driver.bash("skillctl \(leaf.path) \(option.name) ") == words.sorted(), "\(leaf.path) \(option.name)")
                let first = try #require(words.first)
                let prefix = String(first.prefix(1))
                #expect(try await driver.bash("skillctl \(leaf.path) \(option.name)=\(prefix)") == words.filter { $0.hasPrefix(prefix) }.sorted(),
                        "\(leaf.path) \(option.name)=\(prefix)")
            }
        }
        #expect(try await driver.bash("skillctl completion ") == ["bash", "fish", "zsh"])
        #expect(try await driver.bash("skillctl completion z") == ["zsh"])
    }

    @Test("bash: an option's value is not an argument, and after -- nothing is an option")
    func bashWords() async throws {
        #expect(try await driver.bash("skillctl runs --skill hello --status ")
                == RunStatus.allCases.map(\.rawValue).sorted())
        #expect(try await driver.bash("skillctl install --sha256 0123 --isolation process --f") == ["--force"])
        #expect(try await driver.bash("skillctl install a.so --") == Self.longOptions(of: try #require(Self.parser.leaves.first { $0.path == "install" })))
        #expect(try await driver.bash("skillctl install -- --") == [])
        #expect(try await driver.bash("skillctl run hello --model m --timeout 3 -- @") == ["@a.so", "@items.jsonl", "@notes.txt", "@sub/"])
    }

    @Test("bash: paths of the kind an argument names, @FILE inputs, and --option=PATH")
    func bashFiles() async throws {
        #expect(try await driver.bash("skillctl install ") == ["a.so", "sub"])
        #expect(try await driver.bash("skillctl install a") == ["a.so"])
        #expect(try await driver.bash("skillctl run hello @") == ["@a.so", "@items.jsonl", "@notes.txt", "@sub/"])
        #expect(try await driver.bash("skillctl run hello @n") == ["@notes.txt"], "with hostcomplete, bash replaces the @ too")
        #expect(try await driver.bash("skillctl run hello ") == [], "an input is text unless it starts with @")
        #expect(try await driver.bash("skillctl batch start hello @") == ["@items.jsonl", "@sub/"])
        #expect(try await driver.bash("skillctl --socket ") == ["a.so", "items.jsonl", "notes.txt", "sub"])
        #expect(try await driver.bash("skillctl --socket=no") == ["notes.txt"])
    }

    @Test("bash: time zones, from the system's zoneinfo")
    func bashTimeZones() async throws {
        let berlin = FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/Europe/Berlin")
        #expect(try await driver.bash("skillctl cron next --tz Europe/Berl") == (berlin ? ["Europe/Berlin"] : []))
    }

    @Test("bash: installed skills are asked of the daemon, and none come when it is not there")
    func bashSkillsWithoutDaemon() async throws {
        #expect(try await driver.bash("skillctl --socket /nonexistent/s.sock run ") == [])
    }

    @Test("fish: commands, a group's commands, options, choices and files")
    func fish() async throws {
        let check = try await ProgramRun.run("fish", ["--no-execute", driver.script(.fish)])
        #expect(check.succeeded && check.standardError.isEmpty, "\(check)")
        #expect(try await driver.fish("skillctl ") == Self.parser.commands.map(\.name).sorted())
        #expect(try await driver.fish("skillctl --socket /tmp/s.sock in") == ["inference", "install"])
        for group in Self.groups {
            #expect(try await driver.fish("skillctl \(group.name) ").filter { !$0.hasPrefix("-") } == group.subcommandNames.sorted(),
                    "\(group.name)")
        }
        for leaf in Self.parser.leaves {
            #expect(try await driver.fish("skillctl \(leaf.path) --") == Self.longOptions(of: leaf), "\(leaf.path)")
        }
        #expect(try await driver.fish("skillctl install --isolation ") == ["inprocess", "process"])
        #expect(try await driver.fish("skillctl runs --skill x --status ") == RunStatus.allCases.map(\.rawValue).sorted())
        #expect(try await driver.fish("skillctl completion ") == ["bash", "fish", "zsh"])
        #expect(try await driver.fish("skillctl install ") == ["a.so", "sub/"])
        #expect(try await driver.fish("skillctl run hello @") == ["@a.so", "@items.jsonl", "@notes.txt", "@sub/"])
    }

    @Test("zsh: commands, options, choices and files, through the completion system of an interactive zsh")
    func zshCompletes() async throws {
        #expect(try await driver.zsh("skillctl ") == Self.parser.commands.map(\.name).sorted())
        #expect(try await driver.zsh("skillctl ins") == ["install"])
        #expect(try await driver.zsh("skillctl install --f") == ["--force"])
        #expect(try await driver.zsh("skillctl install --isolation ") == ["inprocess", "process"])
        #expect(try await driver.zsh("skillctl install ") == ["a.so", "sub"])
        #expect(try await driver.zsh("skillctl runs --st") == ["--status"])
        let batch = try #require(Self.groups.first { $0.name == "batch" })
        #expect(try await driver.zsh("skillctl batch ") == batch.subcommandNames.sorted())
        #expect(try await driver.zsh("skillctl batch start hello @") == ["items.jsonl", "sub"])
        #expect(try await driver.zsh("skillctl completion ") == ["bash", "fish", "zsh"])
    }

    @Test("zsh: the script parses, and loads into the completion system with a function per command")
    func zsh() async throws {
        let check = try await ProgramRun.run("zsh", ["-n", driver.script(.zsh)])
        #expect(check.succeeded && check.standardError.isEmpty, "\(check)")
        let functions = Self.parser.leaves.map { "_skillctl_" + $0.path.replacing(" ", with: "_").replacing("-", with: "_") }
            + Self.groups.map { "_skillctl_" + $0.name }
        let load = """
            autoload -Uz compinit && compinit -u -D
            source "$1" || exit 1
            print -r -- "skillctl: ${_comps[skillctl]}"
            shift
            for name in "$@"; do (( ${+functions[$name]} )) || print -r -- "missing: $name"; done
            """
        let run = try await ProgramRun.run("zsh", ["-f", "-c", load, "zsh", driver.script(.zsh)] + functions,
                                           environment: ["HOME": driver.directory.path, "PATH": "/usr/bin:/bin"])
        #expect(run.succeeded && run.standardError.isEmpty, "\(run)")
        #expect(run.lines == ["skillctl: _skillctl"], "\(run)")
    }
}

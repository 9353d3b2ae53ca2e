import Foundation
import JSON
@testable import SkillDaemon
import TestSupport
import Testing

/// skillhostd's settings as declared once in `DaemonSetting.all`, and what is made from
/// them: the parser, the configuration it yields, `--help`, and the README's table.
@Suite("Daemon settings, declared once")
struct DaemonSettingsTests {
    /// The result of running skillhostd with `arguments` until it exits.
    private struct Run {
        var termination: Termination
        var standardOutput: String
        var standardError: String
    }

    /// Runs the real skillhostd with `arguments`, which must make it exit by itself.
    private func skillhostd(_ arguments: [String]) async throws -> Run {
        let directory = try TemporaryDirectory(prefix: "settings")
        let process = try ChildProcess(
            try BuildProducts.skillhostd(),
            arguments: arguments + ["--socket", directory.path("s.sock"), "--data-dir", directory.path("data")],
            environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path],
            standardOutput: .pipe, standardError: .pipe)
        let output = try await process.readAll(from: .standardOutput)
        let errors = try await process.readAll(from: .standardError)
        return Run(termination: try await process.wait(), standardOutput: output, standardError: errors)
    }

    /// The message of the error `body` throws, or nil when it throws none.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("each setting has a name of its own, and its flag is its config file key with dashes")
    func namesAndFlags() {
        let names = DaemonSetting.all.map(\.name)
        #expect(Set(names).count == names.count, "a name is declared twice: \(names)")
        for setting in DaemonSetting.all {
            #expect(setting.flag != nil || setting.configKey != nil, "\(setting.name) cannot be given anywhere")
            if let flag = setting.flag {
                #expect(flag == "--" + setting.name.replacingOccurrences(of: "_", with: "-"))
                #expect(DaemonSetting.named(String(flag.dropFirst(2))) == setting)
            }
        }
        #expect(DaemonConfiguration.keys.first == "socket" && !DaemonConfiguration.keys.contains("config"))
        #expect(DaemonConfiguration.keys.contains("models") && DaemonSetting.named("models")?.flag == nil)
    }

    @Test("every default shown as a value, given back as a flag, leaves the built-in configuration as it is")
    func defaultsAreTheConfigurationsOwn() throws {
        let builtIn = DaemonConfiguration(environment: [:])
        var shown = 0
        for setting in DaemonSetting.all {
            guard case let .value(value)? = setting.default, let flag = setting.flag else { continue }
            guard case let .serve(invocation) = try DaemonCommandLine.parse([flag, value]) else {
                Issue.record("\(flag) \(value) is not a command line to serve with")
                continue
            }
            var configuration = builtIn
            try configuration.apply(invocation.settings[0].setting, commandLineText: value, flag: flag)
            #expect(DaemonSetting.all.map { $0.value(in: configuration) } == DaemonSetting.all.map { $0.value(in: builtIn) },
                    "\(flag) \(value) is not the default")
            shown += 1
        }
        #expect(shown > 0)
        #expect(DaemonSetting.named("run_timeout_ms")?.default == .value("60000"))
        #expect(DaemonSetting.named("log_level")?.default == .value("info"))
        #expect(DaemonSetting.named("log_format")?.default == .value("json"))
        #expect(DaemonSetting.named("api_key_env")?.default == nil)
    }

    @Test("max_connections is worked out from the descriptor limit unless given, leaving room for what requests open")
    func connectionsFromDescriptors() throws {
        #expect(DaemonConfiguration(environment: [:]).maximumConnections == nil)
        #expect(DaemonSetting.named("max_connections")?.default
            == .described("(descriptor limit − 256) / 2, at most 4096; the soft descriptor limit is raised to the hard one at start"))
        #expect(DaemonConfiguration.defaultMaximumConnections(descriptorLimit: 1024) == 384, "systemd's soft limit")
        #expect(DaemonConfiguration.defaultMaximumConnections(descriptorLimit: 524_288) == 4096, "systemd's hard limit")
        #expect(DaemonConfiguration.defaultMaximumConnections(descriptorLimit: 100) == 1)
        guard case let .serve(invocation) = try DaemonCommandLine.parse(["--max-connections", "7", "--max-batch-length=3"]) else {
            Issue.record("not a command line to serve with")
            return
        }
        let configuration = try invocation.configuration(environment: ["HOME": "/nonexistent"])
        #expect(configuration.maximumConnections == 7 && configuration.maximumBatchLength == 3)
    }

    @Test("a bad value is refused in the giver's terms: the flag typed, or the config file's key")
    func refusalsNameTheFlagOrTheKey() throws {
        for setting in DaemonSetting.all where setting.configKey != nil {
            var configuration = DaemonConfiguration(environment: [:])
            let fromFile = message { try configuration.apply(key: setting.name, value: "", source: "/etc/skillhost.json") }
            #expect(fromFile?.hasPrefix("/etc/skillhost.json: `\(setting.name)`") == true, "got: \(fromFile ?? "no error")")
            guard let flag = setting.flag else { continue }
            let fromFlag = message {
                guard case let .serve(invocation) = try DaemonCommandLine.parse(["\(flag)="]) else { return }
                _ = try invocation.configuration(environment: ["HOME": "/nonexistent"])
            }
            #expect(fromFlag?.hasPrefix("command line: `\(flag)`") == true, "got: \(fromFlag ?? "no error")")
        }
    }

    @Test("flags override the config file, which overrides the environment")
    func precedence() throws {
        let directory = try TemporaryDirectory(prefix: "precedence")
        let file = directory.path("config.json")
        try Data(#"{"socket": "/from/file.sock", "run_timeout_ms": 2500}"#.utf8).write(to: URL(fileURLWithPath: file))
        let environment = ["SKILLHOST_SOCKET": "/from/environment.sock", "HOME": directory.path]

        #expect(try DaemonInvocation().configuration(environment: environment).socketPath == "/from/environment.sock")
        guard case let .serve(withFile) = try DaemonCommandLine.parse(["--config", file]),
              case let .serve(withFlag) = try DaemonCommandLine.parse(["--config=\(file)", "--socket=/from/flag.sock"])
        else {
            Issue.record("not command lines to serve with")
            return
        }
        let fromFile = try withFile.configuration(environment: environment)
        #expect(fromFile.socketPath == "/from/file.sock" && fromFile.defaultRunTimeout == .milliseconds(2500))
        #expect(try withFlag.configuration(environment: environment).socketPath == "/from/flag.sock")
    }

    @Test("the command line's usage errors", arguments: [
        (["serve"], DaemonUsageError.unexpectedArgument("serve")),
        (["--sockett", "/s"], .unknownOption("--sockett")),
        (["--bogus=1"], .unknownOption("--bogus")),
        (["--models", "{}"], .onlyInConfigFile("--models", key: "models")),
        (["--data-dir"], .missingValue("--data-dir")),
    ])
    func usageErrors(arguments: [String], expected: DaemonUsageError) {
        #expect(throws: expected) { try DaemonCommandLine.parse(arguments) }
    }

    @Test("--help and --version win wherever they are, and a flag's value may follow = or a space")
    func parsing() throws {
        #expect(try DaemonCommandLine.parse(["--bogus", "--help"]) == .help)
        #expect(try DaemonCommandLine.parse(["-h"]) == .help)
        #expect(try DaemonCommandLine.parse(["--socket", "/s", "--version"]) == .version)
        let spaced = try DaemonCommandLine.parse(["--config", "/c.json", "--run-timeout-ms", "5"])
        guard case let .serve(invocation) = spaced else {
            Issue.record("got \(spaced)")
            return
        }
        #expect(invocation.configFile == "/c.json")
        #expect(invocation.settings.map { [$0.setting.name, $0.spelling, $0.value] } == [["run_timeout_ms", "--run-timeout-ms", "5"]])
        #expect(try DaemonCommandLine.parse(["--config=/c.json", "--run-timeout-ms=5"]) == spaced)
    }

    @Test("the README's settings table is the one DaemonSetting.all makes")
    func readmeTable() throws {
        let readme = try String(contentsOf: BuildProducts.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: DaemonSettingsDocument.markdownTableStart),
              let end = lines[start...].firstIndex(of: DaemonSettingsDocument.markdownTableEnd)
        else {
            Issue.record("""
                README.md lacks the lines around its settings table:
                \(DaemonSettingsDocument.markdownTableStart)
                \(DaemonSettingsDocument.markdownTableEnd)
                """)
            return
        }
        let written = Array(lines[(start + 1)..<end])
        let made = DaemonSettingsDocument.markdownTable.components(separatedBy: "\n")
        let onlyWritten = written.filter { !made.contains($0) }
        let onlyMade = made.filter { !written.contains($0) }
        #expect(written == made, """
            README.md's settings table differs from DaemonSetting.all.
            Only in README.md:
            \(onlyWritten.joined(separator: "\n"))
            Only in DaemonSetting.all:
            \(onlyMade.joined(separator: "\n"))
            The whole table, to put between the markers:
            \(made.joined(separator: "\n"))
            """)
    }

    @Test("skillhostd --help lists every flag with its config file key, and exits 0")
    func help() async throws {
        let run = try await skillhostd(["--help"])
        #expect(run.termination == .exited(0))
        #expect(run.standardOutput == DaemonSettingsDocument.help + "\n")
        for setting in DaemonSetting.all {
            if let flag = setting.flag {
                #expect(run.standardOutput.contains("  \(flag) \(setting.placeholder)"), "\(flag) is missing from --help")
            }
            if let key = setting.configKey, setting.flag != nil {
                #expect(run.standardOutput.contains("[\(key)]"), "\(key) is missing from --help")
            }
        }
    }

    @Test("skillhostd exits 2 on a usage error or a bad setting, naming the flag typed", arguments: [
        (["--inference-retries", "0"], "skillhostd: command line: `--inference-retries` must be a whole number, at least 1, not 0"),
        (["--log-level=loud"], "skillhostd: command line: `--log-level` must be one of debug, info, warning, error, not \"loud\""),
        (["--log-format", "xml"], "skillhostd: command line: `--log-format` must be json or text, not \"xml\""),
        (["--default-model", "llama"], "skillhostd: command line: `--default-model` is \"llama\", which is not a configured model"),
        (["--models", "{}"], "skillhostd: --models cannot be given on the command line: set `models` in the config file"),
        (["--bogus"], "skillhostd: unknown option --bogus: see skillhostd --help"),
        (["stray"], "skillhostd: unexpected argument \"stray\": see skillhostd --help"),
    ])
    func badCommandLines(arguments: [String], expected: String) async throws {
        let run = try await skillhostd(arguments)
        #expect(run.termination == .exited(2))
        #expect(run.standardError.hasPrefix(expected), "got: \(run.standardError)")
    }
}

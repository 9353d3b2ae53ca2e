import Foundation
import JSON
import Testing
import TestSupport

/// The real skillctl binary's command line: its help, and options read per command.
@Suite("skillctl's command line, the real binary")
struct SkillctlCommandLineTests {
    @Test("--help lists the commands, the global options and the exit statuses")
    func toolHelp() async throws {
        let help = try await DaemonHarness.skillctl(arguments: ["--help"])
        #expect(help.status == 0, "\(help.standardError)")
        #expect(help.standardOutput.hasPrefix("skillctl: control skillhostd"))
        for line in ["  remove NAME[@VERSION] ", "  runs show ID ", "  inference [status] ", "  --socket PATH ",
                     "  2   usage error", "  10  the skill refused its input (invalid_input)"] {
            #expect(help.standardOutput.contains(line), "skillctl --help lacks \"\(line)\"")
        }
        #expect(help.standardError.isEmpty)
    }

    @Test("a command's help: its usage, arguments and options, the same by `help COMMAND` and `COMMAND --help`")
    func commandHelp() async throws {
        let help = try await DaemonHarness.skillctl(arguments: ["remove", "--help"])
        #expect(help.status == 0, "\(help.standardError)")
        #expect(help.standardOutput.hasPrefix("usage: skillctl remove NAME[@VERSION] [--version V]\n"))
        #expect(help.standardOutput.contains("  --version V  remove only this version (the same as NAME@V)"))
        let same = try await DaemonHarness.skillctl(arguments: ["help", "remove"])
        #expect(same.standardOutput == help.standardOutput)
    }

    @Test("remove NAME --version V removes that version only, and a global option after the command is refused")
    func removeVersion() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)

        let other = try await daemon.skillctl("remove", "echo", "--version", "9.9.9")
        #expect(other.status == 4, "not_found, not skillctl's version: \(other.standardOutput)\(other.standardError)")
        #expect(other.standardError.contains("9.9.9"), "\(other.standardError)")
        #expect(try await daemon.skillctl("show", "echo").status == 0, "echo 1.0.0 is still installed")

        let removed = try await daemon.skillctl("remove", "echo", "--version", "1.0.0")
        #expect(removed.standardOutput == "removed echo 1.0.0\n", "\(removed.standardError)")
        #expect(try await daemon.skillctl("show", "echo").status == 4)

        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let listed = try await daemon.skillctl("list")
        #expect(listed.standardOutput.contains("\necho ") && listed.standardOutput.contains(" 1.0.0 "), "\(listed.standardOutput)")
        #expect(try await daemon.skillctl("run", "echo", "{}").status == 0)
        let runs = try await daemon.skillctl("--json", "runs", "--skill", "echo@1.0.0")
        #expect(try runs.json()["runs"]?.arrayValue?.count == 1, "runs --skill NAME@V: \(runs.standardOutput)\(runs.standardError)")
        #expect(try await daemon.skillctl("--json", "runs", "--skill", "echo@9.9.9").json()["runs"] == [])
        let byAt = try await daemon.skillctl("remove", "echo@1.0.0")
        #expect(byAt.status == 0 && byAt.standardOutput == "removed echo 1.0.0\n", "\(byAt.standardOutput)\(byAt.standardError)")

        let late = try await daemon.skillctl("list", "--json")
        #expect(late.status == 2)
        #expect(late.standardError.contains("put it before the command, e.g. `skillctl --json list ...`"), "\(late.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("--json: a skill's schemas are JSON objects, and output_kind tells text output from a JSON string")
    func jsonShapes() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let shown = try await daemon.skillctl("--json", "show", "complete")
        #expect(try shown.json()["input_schema"]?["type"] == "object", "\(shown.standardOutput)")
        #expect(try shown.json()["output_schema"]?.objectValue != nil, "\(shown.standardOutput)")

        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "says_text")).status == 0)
        let text = try await daemon.skillctl("--json", "run", "says-text", "t").json()
        #expect(text["output"] == "hi" && text["output_kind"] == "text", "\(text)")
        let string = try await daemon.skillctl("--json", "run", "says-text", "x").json()
        #expect(string["output"] == "hi" && string["output_kind"] == "json", "\(string)")
        let runID = try #require(text["run_id"]?.int64Value)
        let record = try await daemon.skillctl("--json", "runs", "show", String(runID))
        #expect(try record.json()["output_kind"] == "text", "\(record.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("tables show every time in one format: ISO 8601 to the second, with the UTC offset")
    func oneTimeFormat() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("run", "echo", "{}").status == 0)
        let pattern = try Regex(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"#)
        for command in [["list"], ["runs"], ["runs", "show", "1"], ["show", "echo"]] {
            let shown = try await daemon.skillctl(arguments: command)
            #expect(shown.status == 0, "\(command): \(shown.standardError)")
            #expect(shown.standardOutput.contains(pattern), "\(command): \(shown.standardOutput)")
            #expect(!shown.standardOutput.contains(try Regex(#":\d\d(\.\d+)?Z"#)), "\(command): \(shown.standardOutput)")
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("one mistake, one exit status: whether skillctl or the daemon finds it")
    func exitStatuses() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "rejects_input")).status == 0)

        let missing = try await daemon.skillctl("install", daemon.directory.path("no-such.so"))
        #expect(missing.status == 2, "a file that does not exist is a usage error, not \"no such skill\": \(missing.standardError)")
        #expect(missing.standardError.contains("no-such.so"), "\(missing.standardError)")

        let badLine = "{\"a\": 1}\nnot json\n"
        let fromStandardInput = try await daemon.skillctl("batch", "start", "echo", "-", standardInput: badLine)
        let file = daemon.directory.path("items.jsonl")
        try badLine.write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try await daemon.skillctl("batch", "start", "echo", "@" + file)
        #expect(fromStandardInput.status == 2 && fromFile.status == 2,
                "stdin: \(fromStandardInput.standardError) file: \(fromFile.standardError)")
        #expect(fromFile.standardError.contains("line 2"), "\(fromFile.standardError)")
        let noFile = try await daemon.skillctl("batch", "start", "echo", "@" + daemon.directory.path("none.jsonl"))
        #expect(noFile.status == 2, "\(noFile.standardError)")

        let refused = try await daemon.skillctl("run", "rejects-input", "{}")
        #expect(refused.status == 10, "invalid_input has a status of its own: \(refused.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("errors name the option typed and the daemon's setting, not the params sent")
    func errorsInTheUsersTerms() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)

        let run = try await daemon.skillctl("run", "echo", "{}", "--timeout", "99999")
        #expect(run.status == 2)
        #expect(run.standardError.hasPrefix(
            "error: --timeout 99999 s is longer than the daemon's limit of 3600 s (its setting max_run_timeout_ms)"),
            "\(run.standardError)")
        let milliseconds = try await daemon.skillctl("run", "echo", "{}", "--timeout-ms", "99999000")
        #expect(milliseconds.standardError.hasPrefix(
            "error: --timeout-ms 99999000 is longer than the daemon's limit of 3600000 ms (its setting max_run_timeout_ms)"),
            "\(milliseconds.standardError)")
        let batch = try await daemon.skillctl("batch", "start", "echo", "-", "--timeout", "99999", standardInput: "{}\n")
        #expect(batch.status == 2)
        #expect(batch.standardError.hasPrefix("error: --timeout 99999 s is longer than the daemon's limit of 3600 s"),
                "\(batch.standardError)")

        let limit = try await daemon.skillctl("memory-limit", "echo", "10M")
        #expect(limit.status == 2)
        #expect(limit.standardError.hasPrefix(
            "error: a memory limit of 10M is below 64M, the least a worker may have: give 64M or more, none (no limit) or default"),
            "\(limit.standardError)")
        #expect(!limit.standardError.contains("memory_limit_bytes"))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("ps lists the runs in flight with the uid and pid of the client that asked")
    func ps() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        #expect(try await daemon.skillctl("ps").standardOutput == "no runs in flight\n")

        let running = try ChildProcess(
            // Long enough to outlast the listings below on a loaded machine (each skillctl
            // is a process start): at 3 s the run once ended before the table was asked for.
            try BuildProducts.skillctl(), arguments: ["--socket", daemon.socketPath, "run", "sleeps", "8000"],
            standardOutput: .null, standardError: .null)
        let runID = try await daemon.waitForRunningRun()
        var listed = try await daemon.skillctl("--json", "ps")
        // The registry records the run a moment before the daemon lists it as in flight.
        while try listed.json()["runs"]?.arrayValue?.isEmpty == true {
            try await Task.sleep(for: .milliseconds(10))
            listed = try await daemon.skillctl("--json", "ps")
        }
        #expect(listed.status == 0, "\(listed.standardError)")
        let run = try #require(try listed.json()["runs"]?[0], "\(listed.standardOutput)")
        #expect(run["run_id"]?.int64Value == runID)
        #expect(run["skill"] == "sleeps" && run["trigger"] == "rpc")
        #expect(run["caller_uid"]?.int64Value == Int64(getuid()))
        #expect(run["caller_pid"]?.int64Value == Int64(running.pid), "the pid of the skillctl that asked: \(running.pid)")
        #expect((run["elapsed_ms"]?.doubleValue ?? -1) >= 0)
        let table = try await daemon.skillctl("ps")
        #expect(table.standardOutput.hasPrefix("RUN  SKILL"), "\(table.standardOutput)")
        #expect(table.standardOutput.contains("uid \(getuid()) pid \(running.pid)"), "\(table.standardOutput)")

        #expect(try await running.wait() == .exited(0))
        #expect(try await daemon.skillctl("ps").standardOutput == "no runs in flight\n")
        #expect(try await daemon.stop() == .exited(0))
    }
}

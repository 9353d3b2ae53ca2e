import Foundation
import JSON
import JSONRPC
import Scheduling
@testable import SkillctlCommands
import SkillhostProtocol
import Testing

/// The parser made from the command list: each command's arguments and options, global
/// options before the command, and the errors a user sees for a wrong command line.
@Suite("skillctl's command-line parser")
struct CommandLineParserTests {
    @Test("global options come before the command; --socket takes a path, inline or not")
    func globalOptions() throws {
        let invocation = try parse(["--socket", "/tmp/s.sock", "--json", "list"])
        #expect(invocation.socketPath == "/tmp/s.sock")
        #expect(invocation.json)
        #expect(try parse(["--socket=/run/x.sock", "status"]).socketPath == "/run/x.sock")
        #expect(try usageError("--socket").message.contains("--socket needs a path"))
        #expect(try usageError("--socket=", "status").message == "--socket needs a path")
        #expect(try usageError("--frobnicate", "status").message == "unknown option --frobnicate")
        guard case .version = try parse(["--version"]).action else { throw ParseMismatch() }
    }

    @Test("remove NAME --version V is remove's --version, not skillctl's")
    func removeVersion() throws {
        let remove = try command(RemoveSkillCommand.self, "remove", "echo", "--version", "1.0.0")
        #expect(remove.name == "echo")
        #expect(remove.version == "1.0.0")
        #expect(try command(RemoveSkillCommand.self, "remove", "echo", "--version=2.0.0").version == "2.0.0")
        #expect(try command(RemoveSkillCommand.self, "remove", "echo").version == nil)
        guard case .version = try parse(["--version", "remove", "echo"]).action else { throw ParseMismatch() }
    }

    @Test("remove NAME@V removes version V, as every command that takes NAME[@VERSION] reads it")
    func removeNameAtVersion() throws {
        let remove = try command(RemoveSkillCommand.self, "remove", "echo@1.0.0")
        #expect(remove.name == "echo" && remove.version == "1.0.0")
        #expect(try command(RemoveSkillCommand.self, "remove", "echo@1.0.0", "--version", "1.0.0").version == "1.0.0")
        #expect(try usageError("remove", "echo@1.0.0", "--version", "2.0.0").message
                == "echo@1.0.0 and --version 2.0.0 name two versions: give one")
    }

    @Test("a global option after the command says where it goes")
    func globalOptionAfterCommand() throws {
        let error = try usageError("status", "--json")
        #expect(error.message == "--json is an option of skillctl itself: put it before the command, e.g. `skillctl --json status ...`")
        #expect(error.command == "status")
        #expect(try usageError("runs", "show", "3", "--socket", "/x").message.contains("`skillctl --socket PATH runs show ...`"))
    }

    @Test("unknown options name the command and what it takes")
    func unknownOption() throws {
        let run = try usageError("run", "echo", "--bogus")
        #expect(run.message == "unknown option --bogus for `skillctl run` (it takes --detach, --model, --stream, --timeout, --timeout-ms)")
        #expect(run.description.hasSuffix("see `skillctl run --help`"))
        #expect(try usageError("status", "--all").message == "unknown option --all for `skillctl status` (it takes none)")
        #expect(try usageError("list", "--all").message == "unknown option --all for `skillctl list` (it takes --names)")
        #expect(try usageError("install", "a.so", "--force=yes").message.hasPrefix("unknown option --force=yes"),
                "a flag takes no value")
    }

    @Test("an option without its value, and missing or surplus arguments, are refused with the usage")
    func missingValuesAndArguments() throws {
        let missingValue = try usageError("remove", "echo", "--version")
        #expect(missingValue.message == "--version needs a value")
        #expect(missingValue.command == "remove")
        #expect(try usageError("runs", "--limit").message == "--limit needs a value")
        #expect(try usageError("install").message
                == "missing arguments: usage is `skillctl install PATH [--force] [--sha256 HEX] [--isolation process|inprocess] [--memory-limit SIZE] [--network none|host] [--read-only PATHS] [--max-processes N|default] [--cpu-seconds N|default]`")
        #expect(try usageError("show", "a", "b").message == "unexpected argument \"b\": usage is `skillctl show NAME[@VERSION]`")
        #expect(try usageError("cron", "next", "0", "0", "*", "*", "*").message
                == "the expression is one argument: quote it, e.g. skillctl cron next '0 0 * * *'")
    }

    @Test("commands, groups and subcommands that do not exist")
    func unknownCommands() throws {
        #expect(try usageError("frobnicate").message.hasPrefix("unknown command \"frobnicate\": the commands are status, install,"))
        #expect(try usageError().message.hasPrefix("no command given: try `skillctl status`"))
        #expect(try usageError("batch").message == "batch needs a subcommand: start, list, show, wait, items, cancel, results")
        #expect(try usageError("batch", "frob").message
                == "unknown batch subcommand \"frob\": the subcommands are start, list, show, wait, items, cancel, results")
        #expect(try usageError("help", "frob").message.hasPrefix("no help for \"frob\""))
        #expect(try usageError("help", "runs", "frob").message.hasPrefix("no help for \"runs frob\""))
    }

    @Test("a group's name alone runs its default command, options and all")
    func defaultSubcommands() throws {
        _ = try command(ListSchedulesCommand.self, "schedules")
        _ = try command(ListSchedulesCommand.self, "schedules", "list")
        _ = try command(InferenceStatusCommand.self, "inference")
        let runs = try command(ListRunsCommand.self, "runs", "--limit", "3", "--status", "failed")
        #expect(runs.limit == 3)
        #expect(runs.status == "failed")
        #expect(try command(ShowRunCommand.self, "runs", "show", "12").runID == 12)
    }

    @Test("skill commands read their arguments and options")
    func skillCommands() throws {
        let install = try command(InstallCommand.self, "install", "lib.so", "--force", "--sha256", String(repeating: "AB", count: 32),
                                  "--isolation", "inprocess", "--memory-limit", "512M")
        #expect(install.path == "lib.so")
        #expect(install.force)
        #expect(install.sha256 == String(repeating: "ab", count: 32))
        #expect(install.isolation == "inprocess")
        #expect(install.memoryLimit == .bytes(512 << 20))
        #expect(try usageError("install", "a", "--sha256", "12").message == "--sha256 expects 64 hexadecimal digits, got \"12\"")
        #expect(try usageError("install", "a", "--isolation", "x").message == "--isolation expects process or inprocess, got \"x\"")

        #expect(try command(ShowSkillCommand.self, "show", "echo@1.0.0").skill == "echo@1.0.0")
        let isolation = try command(SetIsolationCommand.self, "isolation", "echo@1.0.0", "process")
        #expect(isolation.skill == SkillReference("echo@1.0.0"))
        #expect(isolation.skill.version == "1.0.0")
        #expect(isolation.mode == "process")
        #expect(try usageError("isolation", "echo", "sideways").message == "isolation expects process or inprocess, got \"sideways\"")
        #expect(try command(SetMemoryLimitCommand.self, "memory-limit", "echo", "none").limit == .bytes(0))
        #expect(try command(SetMemoryLimitCommand.self, "memory-limit", "echo", "default").limit == .daemonDefault)
        #expect(try command(SetMemoryLimitCommand.self, "memory-limit", "echo", "2g").limit == .bytes(2 << 30))
        #expect(try usageError("memory-limit", "echo", "lots").message.hasPrefix("a memory limit is a size such as 512M or 2G"))
        #expect(try usageError("memory-limit", "echo", "10M").message
                == "a memory limit of 10M is below 64M, the least a worker may have: give 64M or more, none (no limit) or default")
        #expect(try command(SetMemoryLimitCommand.self, "memory-limit", "echo", "64M").limit == .bytes(64 << 20))
        _ = try command(StatusCommand.self, "status")
        #expect(try !command(ListSkillsCommand.self, "list").namesOnly)
        #expect(try command(ListSkillsCommand.self, "list", "--names").namesOnly)
        #expect(try command(CompletionCommand.self, "completion", "zsh").shell == .zsh)
        #expect(try usageError("completion", "tcsh").message == #"completion expects one of bash, zsh, fish, got "tcsh""#)
        #expect(try usageError("completion").message == "missing arguments: usage is `skillctl completion bash|zsh|fish`")
    }

    @Test("grant and install read the grant options; those not given are left out")
    func grantCommands() throws {
        let grant = try command(GrantCommand.self, "grant", "echo@1.0.0", "--network", "host", "--read-only", "/srv/a:/opt",
                                "--max-processes", "16", "--cpu-seconds", "default")
        #expect(grant.skill == SkillReference("echo@1.0.0"))
        #expect(grant.grants == GrantParameters(network: "host", readOnlyPaths: ["/srv/a", "/opt"], processLimit: .value(16),
                                                cpuSecondsPerRun: .daemonDefault))
        #expect(try command(GrantCommand.self, "grant", "echo", "--read-only", "none").grants == GrantParameters(readOnlyPaths: []))
        #expect(try command(GrantCommand.self, "grant", "echo").grants.isEmpty)
        #expect(try command(InstallCommand.self, "install", "lib.so", "--network", "none").grants == GrantParameters(network: "none"))
        #expect(try usageError("grant", "echo", "--read-only", "/a:b").message.contains("\"b\" in \"/a:b\" is not absolute"))
        #expect(try usageError("grant", "echo", "--max-processes", "0").message
                == "--max-processes expects a whole number of at least 1, or default, got \"0\"")
        #expect(try usageError("grant", "echo", "--network", "lan").message == "--network expects none or host, got \"lan\"")
    }

    @Test("run reads its input, timeout, model and stream")
    func run() throws {
        let run = try command(RunCommand.self, "run", "complete", #"{"prompt":"hi"}"#, "--timeout", "0.5", "--model", "gemma",
                              "--stream")
        #expect(run.skill == "complete")
        #expect(run.input == .argument(#"{"prompt":"hi"}"#))
        #expect(run.timeoutMilliseconds == 500)
        #expect(run.model == "gemma")
        #expect(run.stream)
        #expect(try command(RunCommand.self, "run", "echo", "-").input == .standardInput)
        #expect(try command(RunCommand.self, "run", "echo", "@in.json").input == .file("in.json"))
        #expect(try command(RunCommand.self, "run", "echo", "--timeout-ms", "250").timeoutMilliseconds == 250)
        #expect(try command(RunCommand.self, "run", "echo", "--", "--literal").input == .argument("--literal"))
        #expect(try command(RunCommand.self, "run", "echo").input == nil)
        #expect(try usageError("run", "echo", "--timeout", "1", "--timeout-ms", "5").message == "give --timeout or --timeout-ms, not both")
        #expect(try usageError("run", "echo", "--timeout", "-1").message
                == "--timeout expects a positive number of seconds, e.g. 30 or 0.5, got \"-1\"")
    }

    @Test("runs, logs and the id arguments")
    func runs() throws {
        let runs = try command(ListRunsCommand.self, "runs", "list", "--skill", "echo", "--before", "40")
        #expect(runs.skill == "echo")
        #expect(runs.before == 40)
        #expect(try command(RunLogsCommand.self, "logs", "7").runID == 7)
        #expect(try usageError("logs", "0").message == "logs expects a run id (a positive whole number), got \"0\"")
        #expect(try usageError("runs", "show", "x").message == "runs show expects a run id (a positive whole number), got \"x\"")
        #expect(try usageError("runs", "--limit", "1001").message == "--limit expects a whole number from 1 to 1000, got \"1001\"")
        #expect(try usageError("runs", "--status", "odd").message.hasPrefix("--status expects one of queued, running, succeeded,"))
    }

    @Test("batch commands read their arguments and options")
    func batches() throws {
        let start = try command(StartBatchCommand.self, "batch", "start", "echo", "@items.jsonl", "--parallelism", "4",
                                "--retries", "0", "--timeout", "30", "--no-wait")
        #expect(start.skill == "echo")
        #expect(start.items == .file("items.jsonl"))
        #expect(start.parallelism == 4)
        #expect(start.retries == 0)
        #expect(start.timeoutMilliseconds == 30_000)
        #expect(!start.wait)
        #expect(try command(StartBatchCommand.self, "batch", "start", "echo", "-").items == .standardInput)
        #expect(try usageError("batch", "start", "echo", "items.jsonl").message
                == "the items come from @FILE.jsonl (one JSON value a line) or - (standard input), not \"items.jsonl\"")
        #expect(try usageError("batch", "start", "echo", "-", "--parallelism", "65").message
                == "--parallelism expects a whole number from 1 to 64, got \"65\"")
        #expect(try command(ShowBatchCommand.self, "batch", "show", "3").batchID == 3)
        #expect(try command(CancelBatchCommand.self, "batch", "cancel", "3").batchID == 3)
        #expect(try command(BatchResultsCommand.self, "batch", "results", "3").batchID == 3)
        let items = try command(BatchItemsCommand.self, "batch", "items", "3", "--status", "failed")
        #expect(items.status == "failed")
        #expect(try usageError("batch", "show", "-2").message.hasPrefix("unknown option -2"))
    }

    @Test("run --detach and the runs commands that follow a run read their arguments and options")
    func detachedRuns() throws {
        let detached = try command(RunCommand.self, "run", "echo", "{}", "--detach", "--timeout", "5")
        #expect(detached.detach && !detached.stream && detached.timeoutMilliseconds == 5_000)
        #expect(try usageError("run", "echo", "--detach", "--stream").message.contains("--stream"))
        let wait = try command(WaitRunCommand.self, "runs", "wait", "7", "--timeout", "0.5")
        #expect(wait.runID == 7 && wait.timeoutMilliseconds == 500)
        #expect(try command(WaitRunCommand.self, "runs", "wait", "7", "--timeout-ms", "20").timeoutMilliseconds == 20)
        #expect(try command(WaitRunCommand.self, "runs", "wait", "7").timeoutMilliseconds == nil)
        #expect(try usageError("runs", "wait", "7", "--timeout", "1", "--timeout-ms", "1").message.contains("--timeout"))
        #expect(try command(AttachRunCommand.self, "runs", "attach", "7").runID == 7)
        #expect(try command(CancelRunCommand.self, "runs", "cancel", "7").runID == 7)
        #expect(try usageError("runs", "cancel").message.contains("ID"))
    }

    @Test("schedule commands read their arguments and options")
    func schedules() throws {
        let add = try command(AddScheduleCommand.self, "schedules", "add", "echo", "@docs.jsonl", "--cron", "30 6 * * MON-FRI",
                              "--tz", "Europe/Berlin", "--batch", "--parallelism", "2", "--concurrency", "forbid",
                              "--catch-up", "once")
        #expect(add.skill == "echo")
        #expect(add.cron == "30 6 * * MON-FRI")
        #expect(add.timeZone == "Europe/Berlin")
        #expect(add.input == .batchFile("docs.jsonl"))
        #expect(add.parallelism == 2)
        #expect(add.concurrency == "forbid")
        #expect(add.catchUp == "once")
        #expect(try command(AddScheduleCommand.self, "schedules", "add", "echo", "hi", "--cron", "@daily").input == .argument("hi"))
        #expect(try command(AddScheduleCommand.self, "schedules", "add", "echo", "--cron", "@daily").input == AddScheduleCommand.Input.none)
        #expect(try usageError("schedules", "add", "echo").message == "schedules add needs --cron EXPR, e.g. --cron '30 6 * * MON-FRI'")
        #expect(try usageError("schedules", "add", "echo", "hi", "--cron", "@daily", "--batch").message
                == "--batch needs @FILE.jsonl, not \"hi\"")
        #expect(try usageError("schedules", "add", "echo", "--cron", "@daily", "--concurrency", "sometimes").message
                == "--concurrency expects one of allow, forbid, replace, got \"sometimes\"")
        #expect(try command(ShowScheduleCommand.self, "schedules", "show", "5").scheduleID == 5)
        #expect(try command(RemoveScheduleCommand.self, "schedules", "remove", "5").scheduleID == 5)
        #expect(try command(PauseScheduleCommand.self, "schedules", "pause", "5").scheduleID == 5)
        #expect(try command(ResumeScheduleCommand.self, "schedules", "resume", "5").scheduleID == 5)
        #expect(try command(TriggerScheduleCommand.self, "schedules", "trigger", "5").scheduleID == 5)
        #expect(try usageError("schedules", "pause", "soon").message
                == "schedules pause expects a schedule id (a positive whole number), got \"soon\"")
    }

    @Test("inference commands read their arguments and options")
    func inference() throws {
        let attach = try command(AttachEndpointCommand.self, "inference", "attach", "gemma", "http://127.0.0.1:8081", "--name", "g2",
                                 "--served-model", "gemma-3", "--api-key-file", "key", "--max-concurrent", "2")
        #expect(attach.model == "gemma")
        #expect(attach.url == "http://127.0.0.1:8081")
        #expect(attach.name == "g2")
        #expect(attach.servedModel == "gemma-3")
        #expect(attach.apiKeyFile == "key")
        #expect(attach.maximumConcurrentRequests == 2)
        let context = CommandContext(socketPath: "/s", json: false, workingDirectory: "/home/ada")
        #expect(attach.request(in: context).apiKeyFile == "/home/ada/key", "the daemon gets an absolute path")
        #expect(try usageError("inference", "attach", "m", "ftp://x").message == "URL must start with http:// or https://, got \"ftp://x\"")
        #expect(try usageError("inference", "attach", "m", "http://x", "--api-key-env", "K", "--api-key-file", "f").message
                == "give --api-key-env or --api-key-file, not both")
        #expect(try usageError("inference", "attach", "m", "http://x", "--max-concurrent", "0").message
                == "--max-concurrent expects a whole number, at least 1, got \"0\"")
        _ = try command(InferenceModelsCommand.self, "inference", "models")
        #expect(try command(DetachEndpointCommand.self, "inference", "detach", "gemma-2").name == "gemma-2")
    }

    @Test("cron next reads its expression and options, and computes in the zone asked for")
    func cronNext() throws {
        let next = try command(CronNextCommand.self, "cron", "next", "30 2 * * *", "--tz", "Europe/Berlin",
                               "--after", "2026-03-28T12:00:00Z", "--count", "2")
        #expect(next.count == 2)
        let schedule = try next.fireTimes(now: Date(), localTimeZone: TimeZone(identifier: "UTC")!).get()
        #expect(schedule.times == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"])
        #expect(schedule.zone.identifier == "Europe/Berlin")
        #expect(try command(CronNextCommand.self, "cron", "next", "@daily").count == CronNextCommand.defaultCount)
        #expect(try usageError("cron", "next", "0 0 32 * *").message.contains("day of month"))
        #expect(try usageError("cron", "next", "@daily", "--after", "tomorrow").message.hasPrefix("--after expects an ISO 8601 time"))
    }

    @Test("a deadline the daemon refuses is said with the option and the unit typed")
    func typedTimeout() throws {
        let refusal = JSONRPCError(.invalidParams, message: "timeout_ms 99999000 is longer than this daemon's limit",
                                   extra: ["param": "timeout_ms", "limit_ms": 3_600_500, "setting": "max_run_timeout_ms"])
        let seconds = try command(RunCommand.self, "run", "echo", "--timeout", "99999")
        #expect(seconds.explain(refusal)
                == "--timeout 99999 s is longer than the daemon's limit of 3600.5 s (its setting max_run_timeout_ms)")
        let milliseconds = try command(RunCommand.self, "run", "echo", "--timeout-ms=99999000")
        #expect(milliseconds.explain(refusal)
                == "--timeout-ms 99999000 is longer than the daemon's limit of 3600500 ms (its setting max_run_timeout_ms)")
        #expect(try command(RunCommand.self, "run", "echo").explain(refusal) == nil, "no deadline typed: the daemon's words")
        #expect(seconds.explain(JSONRPCError(.invalidParams, message: "other")) == nil)
        let batch = try command(StartBatchCommand.self, "batch", "start", "echo", "-", "--timeout", "0.5")
        #expect(batch.typedTimeout?.explanation(of: refusal)?.hasPrefix("--timeout 0.5 s is longer") == true)
    }
}

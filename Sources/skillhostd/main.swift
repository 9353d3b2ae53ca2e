import DaemonRPC
import Foundation
import JSON
import SkillDaemon
import SkillRuntime
import SkillWorker

// Worker mode (docs/WORKER-PROTOCOL.md) comes before anything else: no logging, no config.
if CommandLine.arguments.dropFirst().first == "--worker" {
    SkillWorker.main(arguments: Array(CommandLine.arguments.dropFirst()))
}

// A reader of stderr (or a client) that goes away must not kill the daemon: writes then
// fail with EPIPE, which the code handles.
signal(SIGPIPE, SIG_IGN)

/// skillhostd: the daemon. Flags mirror the config file's keys (`--data-dir` sets `data_dir`).
let usage = """
    usage: skillhostd [--config FILE] [--socket PATH] [--data-dir DIR] [--default-model NAME]
                      [--inference-url URL [--model NAME] [--api-key-env VAR]] [--log-level LEVEL]
                      [other settings]

    Hosts LLM skills built as shared objects against skill_abi.h, and serves JSON-RPC 2.0 on
    a Unix socket (docs/PROTOCOL.md); `skillctl` is its client. Logs JSON lines on stderr.
    Stops cleanly on SIGTERM or SIGINT.

    Settings (config file key in brackets; flags override the file):
      --config FILE             JSON config file (default: $XDG_CONFIG_HOME/skillhost/config.json, if present)
      --socket PATH             Unix socket [socket] (default: $SKILLHOST_SOCKET, else
                                $XDG_RUNTIME_DIR/skillhost/skillhostd.sock, else /tmp/skillhost-UID/skillhostd.sock)
      --data-dir DIR            registry and skill store [data_dir] (default: $XDG_DATA_HOME/skillhost,
                                else ~/.local/share/skillhost)
      --default-model NAME      model used when a skill and its caller name none [default_model]
                                (default: the only model, if there is one)
      --inference-url URL       shorthand for one model with one OpenAI-compatible server
                                [inference_url] (default: http://127.0.0.1:8080, unless `models` is given)
      --model NAME              the shorthand's model: its name, and the name sent to the server [model]
                                (default: named "default", the server's own model)
      --api-key-env VAR         the shorthand's API key: the environment variable holding it [api_key_env]
      --connect-timeout-ms N    connecting to an inference server [connect_timeout_ms] (default: 5000)
      --request-timeout-ms N    one inference request [request_timeout_ms] (default: 120000)
      --inference-retries N     attempts of an inference request, the first included, across the
                                model's endpoints [inference_retries] (default: 3)
      --retry-base-delay-ms N   backoff before the first retry, doubled at each retry
                                [retry_base_delay_ms] (default: 100)
      --retry-max-delay-ms N    longest backoff between attempts [retry_max_delay_ms] (default: 5000)
      --health-check-interval-ms N  how often every endpoint is probed (GET /v1/models)
                                [health_check_interval_ms] (default: 5000)
      --run-timeout-ms N        deadline of a run that gives none [run_timeout_ms] (default: 60000)
      --max-run-timeout-ms N    longest deadline a caller may ask [max_run_timeout_ms] (default: 3600000)
      --max-concurrent-runs N   runs in flight before `overloaded` [max_concurrent_runs] (default: 256)
      --max-line-bytes N        longest request line [max_line_bytes] (default: 16777216)
      --shutdown-grace-ms N     time runs get to finish on SIGTERM [shutdown_grace_ms] (default: 10000)
      --log-level LEVEL         debug, info, warning or error [log_level] (default: info)
      --default-isolation MODE  process or inprocess, for skills installed without one
                                [default_isolation] (default: process)
      --worker-pool-size N      idle workers kept ready per skill once it ran [worker_pool_size] (default: 1)
      --worker-idle-timeout-ms N  idle time before a worker is shut down [worker_idle_timeout_ms]
                                (default: 300000)
      --max-workers-per-skill N workers of one skill at once; more runs wait [max_workers_per_skill]
                                (default: 8)
      --memory-limit-bytes N    address-space limit (RLIMIT_AS) of each worker, 0 for none
                                [memory_limit_bytes] (default: 2147483648)
      --max-output-bytes N      largest output of a run [max_output_bytes] (default: 16777216)
      -h, --help                this help
      --version                 the version
      --worker ...              internal: a worker of process isolation, started by skillhostd itself

    Models (config file only): several named models, each served by one or more endpoints,
    instead of the shorthand:
      {"models": {"gemma": {"endpoints": [
          {"name": "gemma-a", "url": "http://127.0.0.1:8080", "served_model": "gemma-3-270m",
           "api_key_env": "GEMMA_KEY", "max_concurrent": 4},
          {"url": "http://10.0.0.2:8080", "api_key_file": "/etc/skillhost/gemma.key"}]}},
       "default_model": "gemma"}
    An endpoint has `url` (required), `name` (default: <model>-<n>), `served_model` (the name sent
    to the server; default: the server's own), `api_key_env` or `api_key_file` (an absolute path
    to a file only its owner may read; a trailing newline is ignored) and `max_concurrent` (requests
    at once; default: 1). API keys are read when skillhostd starts and kept in memory only; they
    never appear in logs, the registry, status answers or error messages, and the variables they
    came from are removed from skillhostd's environment. Skill workers inherit only PATH, HOME, USER,
    LOGNAME, LANG, LC_*, TZ, TMPDIR, LD_LIBRARY_PATH and SKILL_* variables. Endpoints attached at
    run time (`skillctl inference attach`) last until skillhostd stops.

    Exit status: 0 after a clean shutdown; 1 when it cannot start (the message says why); 2 on
    a usage error or a setting that is wrong (the message names it).
    """

let stringKeys: Set = ["socket", "data_dir", "default_model", "inference_url", "model", "api_key_env", "log_level",
                       "default_isolation"]

/// Settings that only the config file can give: their values are JSON objects.
let fileOnlyKeys: Set = ["models"]

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("skillhostd: \(message)\n".utf8))
    exit(status)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("-h") || arguments.contains("--help") {
    print(usage)
    exit(0)
}
if arguments.contains("--version") {
    print("skillhostd \(SkillHostService.version) (skill ABI \(SkillLoader.abiMajor).\(SkillLoader.abiMinor))")
    exit(0)
}

var settings: [(key: String, value: String)] = []
var configFile: String?
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard flag.hasPrefix("--") else { fail("unexpected argument \"\(flag)\": see skillhostd --help", status: 2) }
    var name = String(flag.dropFirst(2))
    var value: String?
    if let equals = name.firstIndex(of: "=") {
        value = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
    }
    let key = name.replacingOccurrences(of: "-", with: "_")
    guard key == "config" || DaemonConfiguration.keys.contains(key) else {
        fail("unknown option --\(name): see skillhostd --help", status: 2)
    }
    guard !fileOnlyKeys.contains(key) else {
        fail("--\(name) cannot be given on the command line: set `\(key)` in the config file (--config FILE)", status: 2)
    }
    if value == nil {
        guard !arguments.isEmpty else { fail("--\(name) needs a value: see skillhostd --help", status: 2) }
        value = arguments.removeFirst()
    }
    if key == "config" { configFile = value } else { settings.append((key, value!)) }
}

var configuration = DaemonConfiguration()
do {
    if let configFile {
        try configuration.apply(configFile: configFile)
    } else if FileManager.default.fileExists(atPath: DaemonConfiguration.defaultConfigFile()) {
        try configuration.apply(configFile: DaemonConfiguration.defaultConfigFile())
    }
    for (key, text) in settings {
        let value: JSONValue = stringKeys.contains(key) ? .string(text) : Int64(text).map(JSONValue.int) ?? .string(text)
        try configuration.apply(key: key, value: value, source: "command line")
    }
    _ = try configuration.apiKeys(for: configuration.inferenceModels())
} catch {
    fail("\(error)", status: 2)
}

do {
    try await Daemon(configuration: configuration).run()
} catch {
    fail("\(error)", status: 1)
}

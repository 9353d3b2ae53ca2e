import Foundation
import JSONRPC
import Registry

/// Everything skillhostd can be told: defaults, then the config file, then flags.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The Unix socket clients connect to.
    public var socketPath: String
    /// Where the registry and the skill store live.
    public var dataDirectory: String
    /// Base URL of the OpenAI-compatible inference server.
    public var inferenceURL: URL
    /// The model sent when a skill and its caller name none; nil: the server's own default.
    public var defaultModel: String?
    /// Name of the environment variable holding the inference API key (the key itself is
    /// never stored in the configuration, the registry or a log).
    public var apiKeyEnvironmentVariable: String?
    /// How long connecting to the inference server may take.
    public var inferenceConnectTimeout: Duration = .seconds(5)
    /// How long one inference request may take.
    public var inferenceRequestTimeout: Duration = .seconds(120)
    /// Deadline of a run whose caller gives none.
    public var defaultRunTimeout: Duration = .seconds(60)
    /// The longest deadline a caller may ask for.
    public var maximumRunTimeout: Duration = .seconds(3600)
    /// Runs in flight beyond which new ones are refused as `overloaded`.
    public var maximumConcurrentRuns = 256
    /// The longest request line accepted.
    public var maximumLineBytes = 16 << 20
    /// How long SIGTERM waits for runs in flight before recording them as interrupted.
    public var shutdownGrace: Duration = .seconds(10)
    /// The daemon log's level.
    public var logLevel: Logger.Level = .info
    /// Where skills installed without an explicit isolation run (`default_isolation`).
    public var defaultIsolation: IsolationMode = .process
    /// The worker pool and the limits of each worker process.
    public var processIsolation = ProcessIsolationSettings()
    /// The largest output of a run, chunks and returned bytes together (`max_output_bytes`).
    public var maximumOutputBytes = InvocationLimits().maximumOutputBytes

    /// The defaults for this user and environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = SkillhostSocketPath.default(environment: environment)
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        dataDirectory = dataHome + "/skillhost"
        inferenceURL = URL(string: "http://127.0.0.1:8080")!
    }

    /// The default config file: `$XDG_CONFIG_HOME/skillhost/config.json`.
    public static func defaultConfigFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return configHome + "/skillhost/config.json"
    }

    /// Applies the JSON config file at `path`. Unknown keys are refused so that a typo does
    /// not pass silently.
    public mutating func apply(configFile path: String) throws(ConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(source: path, message: "cannot read it: \(error.localizedDescription)")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: text)
        } catch {
            throw ConfigurationError(source: path, message: "it is not valid JSON: \(error)")
        }
        guard case let .object(fields) = document else {
            throw ConfigurationError(source: path, message: "it must be a JSON object")
        }
        for (key, value) in fields {
            try apply(key: key, value: value, source: path)
        }
    }

    /// The keys of the config file, with the flag of the same name (`--socket` for `socket`).
    public static let keys = [
        "socket", "data_dir", "inference_url", "model", "api_key_env", "connect_timeout_ms",
        "request_timeout_ms", "run_timeout_ms", "max_run_timeout_ms", "max_concurrent_runs",
        "max_line_bytes", "shutdown_grace_ms", "log_level", "default_isolation", "worker_pool_size",
        "worker_idle_timeout_ms", "max_workers_per_skill", "memory_limit_bytes", "max_output_bytes",
    ]

    /// Applies one setting, from the config file or a flag (`--data-dir` is `data_dir`).
    public mutating func apply(key: String, value: JSONValue, source: String) throws(ConfigurationError) {
        func fail(_ expected: String) -> ConfigurationError {
            ConfigurationError(source: source, message: "`\(key)` must be \(expected), not \(value.serialized())")
        }
        func text() throws(ConfigurationError) -> String {
            guard case let .string(string) = value, !string.isEmpty else { throw fail("a non-empty string") }
            return string
        }
        func milliseconds(minimum: Int64 = 1) throws(ConfigurationError) -> Duration {
            guard case let .int(number) = value, number >= minimum else { throw fail("a whole number of milliseconds, at least \(minimum)") }
            return .milliseconds(number)
        }
        func count(minimum: Int64 = 1) throws(ConfigurationError) -> Int {
            guard case let .int(number) = value, number >= minimum, number <= Int64(Int32.max) else { throw fail("a whole number, at least \(minimum)") }
            return Int(number)
        }
        func bytes(minimum: Int64) throws(ConfigurationError) -> Int {
            guard case let .int(number) = value, number >= minimum else { throw fail("a whole number of bytes, at least \(minimum)") }
            return Int(number)
        }
        switch key {
        case "socket": socketPath = try text()
        case "data_dir": dataDirectory = try text()
        case "inference_url":
            let string = try text()
            guard let url = URL(string: string), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw fail("an http:// or https:// URL")
            }
            inferenceURL = url
        case "model": defaultModel = try text()
        case "api_key_env": apiKeyEnvironmentVariable = try text()
        case "connect_timeout_ms": inferenceConnectTimeout = try milliseconds()
        case "request_timeout_ms": inferenceRequestTimeout = try milliseconds()
        case "run_timeout_ms": defaultRunTimeout = try milliseconds()
        case "max_run_timeout_ms": maximumRunTimeout = try milliseconds()
        case "max_concurrent_runs": maximumConcurrentRuns = try count()
        case "max_line_bytes": maximumLineBytes = try count(minimum: 1024)
        case "shutdown_grace_ms": shutdownGrace = try milliseconds(minimum: 0)
        case "log_level":
            guard let level = Logger.Level(rawValue: try text()) else { throw fail("one of debug, info, warning, error") }
            logLevel = level
        case "default_isolation":
            guard let mode = IsolationMode(rawValue: try text()) else { throw fail("process or inprocess") }
            defaultIsolation = mode
        case "worker_pool_size": processIsolation.poolSize = try count(minimum: 0)
        case "worker_idle_timeout_ms": processIsolation.idleTimeout = try milliseconds()
        case "max_workers_per_skill": processIsolation.maximumWorkersPerSkill = try count()
        case "memory_limit_bytes":
            let limit = try bytes(minimum: 0)
            guard limit == 0 || limit >= 64 << 20 else { throw fail("0 (no limit) or at least 67108864 (64 MiB)") }
            processIsolation.memoryLimitBytes = limit
        case "max_output_bytes": maximumOutputBytes = try bytes(minimum: 1)
        default:
            throw ConfigurationError(
                source: source, message: "unknown setting `\(key)`; known: \(Self.keys.joined(separator: ", "))")
        }
    }
}

/// A setting that cannot be applied, with where it came from.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The config file's path, or "command line".
    public var source: String
    /// What is wrong.
    public var message: String

    public var description: String { "\(source): \(message)" }
}

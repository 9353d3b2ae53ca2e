import Foundation
import JSON
import JSONRPC
import Logging
import ProcessIsolation
import Registry
import SkillRuntime

/// Everything skillhostd can be told: defaults, then the config file, then flags.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The Unix socket clients connect to.
    public var socketPath: String
    /// Where the registry and the skill store live.
    public var dataDirectory: String
    /// The logical models and the endpoints that serve them (`models`); nil when the
    /// configuration gives none, and the single-endpoint shorthand (`inference_url`,
    /// `model`, `api_key_env`) describes the one model. ``inferenceModels()`` resolves both.
    public var models: [ModelConfiguration]?
    /// The model used when a skill and its caller name none (`default_model`); nil: the
    /// only model when there is one, else none.
    public var defaultModel: String?
    /// Shorthand: the base URL of the one inference server (`inference_url`); nil: not
    /// given (`http://127.0.0.1:8080` unless `models` is).
    public var inferenceURL: URL?
    /// Shorthand: the model name sent to that server, which also names the one model
    /// (`model`); nil: the server's own, and the model is named `default`.
    public var model: String?
    /// Shorthand: the environment variable holding that server's API key (`api_key_env`).
    public var apiKeyEnvironmentVariable: String?
    /// The most attempts one inference request makes, the first included (`inference_retries`).
    public var maximumInferenceAttempts = 3
    /// The backoff before the first retry of an inference request (`retry_base_delay_ms`);
    /// it doubles with each retry, up to ``inferenceRetryMaximumDelay``.
    public var inferenceRetryBaseDelay: Duration = .milliseconds(100)
    /// The longest backoff between two attempts (`retry_max_delay_ms`).
    public var inferenceRetryMaximumDelay: Duration = .seconds(5)
    /// How often every endpoint is probed (`health_check_interval_ms`).
    public var healthCheckInterval: Duration = .seconds(5)
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
    /// Where each setting given was last set: a config file's path or "command line", for
    /// the errors of settings that contradict each other.
    private(set) var sources: [String: String] = [:]

    /// The defaults for this user and environment.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = SkillhostSocketPath.default(environment: environment)
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        dataDirectory = dataHome + "/skillhost"
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
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            try apply(key: key, value: value, source: path)
        }
    }

    /// The keys of the config file, with the flag of the same name (`--socket` for `socket`).
    public static let keys = [
        "socket", "data_dir", "models", "default_model", "inference_url", "model", "api_key_env", "connect_timeout_ms",
        "request_timeout_ms", "inference_retries", "retry_base_delay_ms", "retry_max_delay_ms",
        "health_check_interval_ms", "run_timeout_ms", "max_run_timeout_ms", "max_concurrent_runs",
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
        case "models": models = try Self.models(from: value, source: source)
        case "default_model":
            let name = try text()
            guard EndpointConfiguration.isValidName(name) else { throw fail("a model name without spaces") }
            defaultModel = name
        case "inference_url":
            switch EndpointConfiguration.url(from: try text()) {
            case let .success(url): inferenceURL = url
            case .failure(.credentials):
                // Not repeated: the URL holds a password.
                throw ConfigurationError(source: source, message: "`inference_url` must be \(EndpointURLProblem.credentials.expectation)")
            case let .failure(problem): throw fail(problem.expectation)
            }
        case "model":
            let name = try text()
            guard EndpointConfiguration.isValidName(name) else { throw fail("a model name without spaces") }
            model = name
        case "api_key_env":
            // Never repeated in the error: a key pasted in place of its variable's name.
            guard case let .string(variable) = value, APIKeySource.isVariableName(variable) else {
                throw ConfigurationError(source: source, message: "`api_key_env`: \(APIKeyError.notVariableName)")
            }
            apiKeyEnvironmentVariable = variable
        case "connect_timeout_ms": inferenceConnectTimeout = try milliseconds()
        case "request_timeout_ms": inferenceRequestTimeout = try milliseconds()
        case "inference_retries": maximumInferenceAttempts = try count()
        case "retry_base_delay_ms": inferenceRetryBaseDelay = try milliseconds(minimum: 0)
        case "retry_max_delay_ms": inferenceRetryMaximumDelay = try milliseconds(minimum: 0)
        case "health_check_interval_ms": healthCheckInterval = try milliseconds()
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
        sources[key] = source
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

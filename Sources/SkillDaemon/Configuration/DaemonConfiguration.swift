import Foundation
import HTTPServer
import JSON
import Logging
import ProcessIsolation
import Registry
import SkillRuntime
import SkillhostModel

/// Everything skillhostd can be told: the defaults (some from the environment), then the
/// config file, then flags. ``DaemonSetting/all`` declares each setting and how it is given.
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
    /// The longest request line accepted, in bytes (`max_request_bytes`): a longer line is
    /// read no further than this, answered with an error and its connection closed.
    public var maximumRequestBytes = 16 << 20
    /// The most requests one JSON-RPC batch may hold (`max_batch_length`).
    public var maximumBatchLength = 1000
    /// The most client connections served at once (`max_connections`); nil: as many as
    /// ``defaultMaximumConnections(descriptorLimit:)`` allows for the descriptor limit.
    public var maximumConnections: Int?
    /// How long SIGTERM waits for runs in flight before recording them as interrupted.
    public var shutdownGrace: Duration = .seconds(10)
    /// The daemon log's level.
    public var logLevel: Logger.Level = .info
    /// How the daemon's log lines are written (`log_format`).
    public var logFormat: Logger.Format = .json
    /// Where skills installed without an explicit isolation run (`default_isolation`).
    public var defaultIsolation: IsolationMode = .process
    /// The worker pool and the limits of each worker process.
    public var processIsolation = ProcessIsolationSettings()
    /// The largest output of a run, chunks and returned bytes together (`max_output_bytes`).
    public var maximumOutputBytes = InvocationLimits().maximumOutputBytes
    /// Where the HTTP API listens (`http_listen`, `HOST:PORT`); nil: it is off.
    public var httpListen: String?
    /// What the HTTP API accepts from a client and how long it waits for one (`http_max_header_bytes`,
    /// `http_max_headers`, `http_max_body_bytes`, `http_idle_timeout_ms`, `http_request_timeout_ms`,
    /// `http_max_connections`).
    public var httpLimits = HTTPServerLimits()
    /// The PEM file of the HTTP API's certificate chain, the server's first (`http_tls_cert`);
    /// nil, with ``httpTLSKey``: plain HTTP.
    public var httpTLSCertificate: String?
    /// The PEM file of the private key of that certificate (`http_tls_key`).
    public var httpTLSKey: String?
    /// Where each setting given was last set: a config file's path or "command line", for
    /// the errors of settings that contradict each other.
    private(set) var sources: [String: String] = [:]
    /// How each setting given was last spelled: its flag (`--inference-url`) or its key, so
    /// that those errors name it as its giver wrote it.
    private var spellings: [String: String] = [:]

    /// Descriptors kept for everything but client connections before the rest is shared
    /// out: the registry's SQLite files, the log, signal and timer descriptors.
    static let reservedDescriptors = 256
    /// The most connections served at once by default, whatever the descriptor limit: each
    /// has a reader thread of its own.
    static let connectionCeiling = 4096

    /// The default of `max_connections` under a limit of `descriptorLimit` descriptors: half
    /// of what is left after ``reservedDescriptors``, the other half being for what the
    /// connections' requests open (worker socket pairs, pidfds and pipes, inference
    /// sockets), at least 1 and at most ``connectionCeiling``. 384 at a limit of 1,024.
    public static func defaultMaximumConnections(descriptorLimit: Int) -> Int {
        min(connectionCeiling, max(1, (descriptorLimit - reservedDescriptors) / 2))
    }

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
            let (line, column) = Self.lineAndColumn(ofByte: error.offset, in: text)
            throw ConfigurationError(
                source: path, message: "it is not valid JSON: line \(line), column \(column) (byte \(error.offset)): "
                    + "expected \(error.expected), found \(error.found)")
        }
        guard case let .object(fields) = document else {
            throw ConfigurationError(source: path, message: "it must be a JSON object")
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            try apply(key: key, value: value, source: path)
        }
    }

    /// The line and column, from 1, of the byte at `offset` of `text`'s UTF-8; columns
    /// count bytes.
    static func lineAndColumn(ofByte offset: Int, in text: String) -> (line: Int, column: Int) {
        let before = Array(text.utf8.prefix(offset))
        let line = 1 + before.count(where: { $0 == UInt8(ascii: "\n") })
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        return (line, before.count - lineStart + 1)
    }

    /// The keys of the config file, in the order of ``DaemonSetting/all``.
    public static let keys = DaemonSetting.all.compactMap(\.configKey)

    /// The value of every setting of the config file that has one here, by its key, as it
    /// would be given (`"run_timeout_ms": "60000"`), but `models`, which the router shows
    /// as it routes. A setting without a value is absent: not given, and worked out (as
    /// `max_connections` is) or not used.
    public var settingValues: [String: String] {
        var values: [String: String] = [:]
        for setting in DaemonSetting.all {
            guard let key = setting.configKey, let value = setting.value(in: self) else { continue }
            values[key] = value
        }
        return values
    }

    /// Applies the config file's setting `key` from `source` (a config file's path, or
    /// ``ConfigurationError/commandLine`` for a flag given by its key).
    public mutating func apply(key: String, value: JSONValue, source: String) throws(ConfigurationError) {
        guard let setting = DaemonSetting.named(key), setting.configKey == key else {
            throw ConfigurationError(
                source: source, message: "unknown setting `\(key)`; known: \(Self.keys.joined(separator: ", "))")
        }
        try apply(setting, SettingInput(value: value, source: source, spelling: key))
    }

    /// Applies `text`, given after `setting`'s flag spelled `flag` on the command line.
    mutating func apply(_ setting: DaemonSetting, commandLineText text: String, flag: String) throws(ConfigurationError) {
        try apply(setting, SettingInput(value: setting.commandLineValue(text), source: ConfigurationError.commandLine,
                                        spelling: flag))
    }

    /// Applies `input` to `setting`, and notes where it came from.
    private mutating func apply(_ setting: DaemonSetting, _ input: SettingInput) throws(ConfigurationError) {
        guard case let .configures(assign) = setting.effect else {
            throw input.refusal(explaining: "it names the config file, and can be given only on the command line")
        }
        try assign(&self, input)
        sources[setting.name] = input.source
        spellings[setting.name] = input.spelling
    }

    /// The setting `name` as it was last given: its flag or its key.
    func spelling(of name: String) -> String {
        spellings[name] ?? name
    }
}

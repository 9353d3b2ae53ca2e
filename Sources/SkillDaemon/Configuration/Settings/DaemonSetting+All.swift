import SkillhostModel

extension DaemonSetting {
    /// Every setting of skillhostd, in the order `--help` and the README list them. A reload
    /// applies each, but for those declared ``needingRestart()``.
    public static let all: [DaemonSetting] = [
        .configFile(
            summary: "JSON config file, whose keys are the other settings",
            default: "`$XDG_CONFIG_HOME/skillhost/config.json` (else `~/.config/skillhost/config.json`), if present"),
        .path("socket", \.socketPath, placeholder: "PATH", summary: "Unix socket clients connect to",
              environmentVariable: SkillhostSocketPath.environmentVariable,
              default: "`$XDG_RUNTIME_DIR/skillhost/skillhostd.sock`, else `/tmp/skillhost-<uid>/skillhostd.sock`")
            .needingRestart(),
        .path("data_dir", \.dataDirectory, placeholder: "DIR", summary: "registry and skill store",
              default: "`$XDG_DATA_HOME/skillhost`, else `~/.local/share/skillhost`")
            .needingRestart(),
        .models("models", \.models, summary: "several named models, each served by one or more endpoints (see Models)",
                default: "the one model of the shorthand (`inference_url`, `model`, `api_key_env`)"),
        .modelName("default_model", \.defaultModel, summary: "model used when a skill and its caller name none",
                   default: "the only model, if there is one"),
        .endpointURL("inference_url", \.inferenceURL,
                     summary: "shorthand for one model with one OpenAI-compatible server",
                     default: "`\(DaemonConfiguration.defaultInferenceURL.absoluteString)`, unless `models` is given"),
        .modelName("model", \.model, summary: "the shorthand's model: its name, and the name sent to the server",
                   default: "the server's own, named `\(DaemonConfiguration.shorthandModelName)`"),
        .variableName("api_key_env", \.apiKeyEnvironmentVariable,
                      summary: "the shorthand's API key: the environment variable holding it"),
        .milliseconds("connect_timeout_ms", \.inferenceConnectTimeout, summary: "connecting to an inference server"),
        .milliseconds("request_timeout_ms", \.inferenceRequestTimeout, summary: "one inference request"),
        .count("inference_retries", \.maximumInferenceAttempts,
               summary: "attempts of an inference request, the first included, across the model's endpoints"),
        .milliseconds("retry_base_delay_ms", \.inferenceRetryBaseDelay, minimum: 0,
                      summary: "backoff before the first retry, doubled at each retry"),
        .milliseconds("retry_max_delay_ms", \.inferenceRetryMaximumDelay, minimum: 0,
                      summary: "longest backoff between attempts"),
        .milliseconds("health_check_interval_ms", \.healthCheckInterval,
                      summary: "how often every endpoint is probed (`GET /v1/models`)"),
        .milliseconds("run_timeout_ms", \.defaultRunTimeout, summary: "deadline of a run that gives none"),
        .milliseconds("max_run_timeout_ms", \.maximumRunTimeout, summary: "longest deadline a caller may ask for"),
        .count("max_concurrent_runs", \.maximumConcurrentRuns,
               summary: "runs in flight beyond which new ones are refused as `overloaded`"),
        .count("max_connections", \.maximumConnections,
               summary: "client connections served at once; one more is answered `too_many_connections` and closed",
               default: "(descriptor limit − \(DaemonConfiguration.reservedDescriptors)) / 2, at most "
                   + "\(DaemonConfiguration.connectionCeiling); the soft descriptor limit is raised to the hard one at start"),
        .bytes("max_request_bytes", \.maximumRequestBytes, minimum: 1024,
               summary: "longest request line; a longer one is read no further, refused, and its connection closed"),
        .count("max_batch_length", \.maximumBatchLength, summary: "most requests in one JSON-RPC batch; a longer batch is refused whole"),
        .milliseconds("shutdown_grace_ms", \.shutdownGrace, minimum: 0,
                      summary: "time runs in flight get to finish on SIGTERM"),
        .choice("log_level", \.logLevel, placeholder: "LEVEL",
                summary: "the lowest level logged; the log is on standard error, each line led by its priority "
                    + "(`<6>`) when that is the journal (`JOURNAL_STREAM`)"),
        .choice("log_format", \.logFormat, placeholder: "FORMAT",
                summary: "how log lines are written: `json`, one JSON object a line, or `text`, a line for people "
                    + "(`2026-12-04T18:00:00.000Z info skillhostd is serving pid=12 socket=...`)")
            .needingRestart(),
        .choice("default_isolation", \.defaultIsolation, placeholder: "MODE",
                summary: "where skills installed without an isolation run"),
        .count("worker_pool_size", \.processIsolation.poolSize, minimum: 0,
               summary: "idle workers kept ready per skill once it ran"),
        .milliseconds("worker_idle_timeout_ms", \.processIsolation.idleTimeout,
                      summary: "idle time before a worker is shut down"),
        .count("max_workers_per_skill", \.processIsolation.maximumWorkersPerSkill,
               summary: "workers of one skill at once; more runs wait"),
        .bytes("memory_limit_bytes", \.processIsolation.memoryLimitBytes, minimum: 0,
               rule: ({ WorkerMemoryLimit.isAllowed(Int64($0)) },
                      "0 (no limit) or at least \(WorkerMemoryLimit.minimumBytes) (\(WorkerMemoryLimit.minimumBytes >> 20) MiB)"),
               summary: "address-space limit (`RLIMIT_AS`) of each worker, 0 for none"),
        .choice("sandbox", \.processIsolation.sandbox.mode, placeholder: "MODE",
                summary: "the sandbox of worker processes: `on` (missing layers are warnings), `required` (fatal), `off`")
            .needingRestart(),
        .path("sandbox_user", \.processIsolation.sandbox.user, placeholder: "USER",
              summary: "the unprivileged user workers run as when skillhostd runs as root", default: "`nobody`")
            .needingRestart(),
        .count("sandbox_process_limit", \.processIsolation.sandbox.processLimit, minimum: 0,
               summary: "processes and threads of a worker, 0 for no limit, unless a skill is granted another"),
        .count("sandbox_cpu_seconds_per_run", \.processIsolation.sandbox.cpuSecondsPerRun, minimum: 0,
               summary: "CPU seconds of one run in a worker, 0 for no limit, unless a skill is granted another"),
        .bytes("max_output_bytes", \.maximumOutputBytes, minimum: 1,
               summary: "largest output of a run, chunks and returned bytes together"),
        .listenAddress("http_listen", \.httpListen,
                       summary: "where the HTTP API listens (`/v1/skills`, `/rpc`, `/metrics`, with tokens); "
                           + "another host than 127.0.0.1 or ::1 only when you mean it",
                       default: "off")
            .needingRestart(),
        .bytes("http_max_header_bytes", \.httpLimits.maximumHeadBytes, minimum: 1024,
               summary: "longest head of an HTTP request (its request line and header fields); a longer one is answered 431"),
        .count("http_max_headers", \.httpLimits.maximumHeaderCount,
               summary: "most header fields of an HTTP request (or trailer fields of its chunked body); more are answered 431"),
        .bytes("http_max_body_bytes", \.httpLimits.maximumBodyBytes, minimum: 0,
               summary: "largest body of an HTTP request, with `Content-Length` or chunked; a larger one is answered 413"),
        .milliseconds("http_idle_timeout_ms", \.httpLimits.idleTimeout,
                      summary: "how long a kept-alive HTTP connection may wait for its next request before it is closed"),
        .milliseconds("http_request_timeout_ms", \.httpLimits.requestTimeout,
                      summary: "how long an HTTP client may take to send a whole request (408 beyond, and closed), "
                          + "and to read a response's bytes"),
        .count("http_max_connections", \.httpLimits.maximumConnections,
               summary: "HTTP connections served at once; one more is answered 503 with `Retry-After` and closed "
                   + "(over TLS, closed at once)"),
        .file("http_tls_cert", \.httpTLSCertificate,
              summary: "PEM file of the HTTP API's certificate chain, the server's certificate first: the API speaks "
                  + "HTTPS (with `http_tls_key`); a reload reads it again",
              default: "none: plain HTTP"),
        .file("http_tls_key", \.httpTLSKey,
              summary: "PEM file of that certificate's private key (with `http_tls_cert`); a reload reads it again",
              default: "none"),
    ]

    /// The setting `name` names, as a config file key (`data_dir`) or a flag without its
    /// dashes (`data-dir`), if skillhostd has one.
    public static func named(_ name: String) -> DaemonSetting? {
        let key = name.replacingOccurrences(of: "-", with: "_")
        return all.first { $0.name == key }
    }

    /// The settings a reload does not apply: only a restart changes them.
    public static var needingRestart: [DaemonSetting] {
        all.filter { $0.reloadEffect == .needsRestart }
    }
}

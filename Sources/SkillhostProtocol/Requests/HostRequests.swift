import JSONRPC
import SkillhostModel

/// `host.status`: the daemon's version, uptime, socket, data directory, counts, inference, the
/// in-process skill threads stuck past their run's end, the settings in force and the last reload.
public struct HostStatusRequest: SkillhostRequest {
    public static let method = "host.status"
    public static let summary = "the daemon's version, ABI, pid, uptime, socket, data directory, counts, inference endpoints, stuck skill threads, settings in force and the last reload"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = HostStatus

    /// The request; it takes no params.
    public init() {}
}

/// `host.metrics`: the daemon's Prometheus metrics, in the text exposition format.
public struct HostMetricsRequest: SkillhostRequest {
    public static let method = "host.metrics"
    public static let summary = "the daemon's Prometheus metrics in the text exposition format 0.0.4: runs, workers, inference, batches, schedules, calls, the process"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = HostMetrics

    /// The request; it takes no params.
    public init() {}
}

/// What `host.metrics` answers: a scrape's body and its content type.
public struct HostMetrics: Codable, Sendable {
    /// `text/plain; version=0.0.4`.
    public var contentType: String
    /// The metrics, as a scrape of `/metrics` reads them.
    public var text: String

    /// An answer as given.
    public init(contentType: String, text: String) {
        self.contentType = contentType
        self.text = text
    }

    private enum CodingKeys: String, CodingKey {
        case text
        case contentType = "content_type"
    }
}

/// What `host.status` answers.
public struct HostStatus: Codable, Sendable {
    /// skillhost's version.
    public var version: String
    /// The skill ABI the daemon implements, `MAJOR.MINOR`.
    public var abi: String
    /// The daemon's process id.
    public var pid: Int64
    /// How long the daemon has been serving.
    public var uptimeMilliseconds: Double
    /// The socket it listens on.
    public var socket: String
    /// Its data directory.
    public var dataDirectory: String
    /// How many skills (name and version) are installed.
    public var skills: Int64
    /// The runs recorded, and those in flight now.
    public var runs: RunCounts
    /// The inference router, as `inference.status` shows it.
    public var inference: InferenceStatus
    /// The sandbox of worker processes.
    public var sandbox: SandboxStatus
    /// The in-process skill threads still running the code of a run that ended, the longest
    /// stuck first: nothing can stop them until their skill returns.
    public var stuckSkillThreads: [StuckSkillThread]
    /// The settings in force, by config file key, as they would be given; a setting not
    /// given and worked out (`max_connections`) is absent, and `models` is `inference`.
    public var settings: [String: String]
    /// The last reload of the configuration (SIGHUP); nil before the first.
    public var reload: ReloadStatus?
    /// The settings the config file changes that only a restart applies: the running value
    /// (`old`) and the file's (`new`).
    public var restartNeeded: [SettingChange]
    /// Every installed skill version: whether it takes runs, and what it did since the daemon started.
    public var skillActivity: [SkillActivity]

    /// A status as given.
    public init(version: String, abi: String, pid: Int64, uptimeMilliseconds: Double, socket: String,
                dataDirectory: String, skills: Int64, runs: RunCounts, inference: InferenceStatus,
                stuckSkillThreads: [StuckSkillThread], sandbox: SandboxStatus, settings: [String: String] = [:],
                reload: ReloadStatus? = nil, restartNeeded: [SettingChange] = [], skillActivity: [SkillActivity] = []) {
        self.version = version
        self.abi = abi
        self.pid = pid
        self.uptimeMilliseconds = uptimeMilliseconds
        self.socket = socket
        self.dataDirectory = dataDirectory
        self.skills = skills
        self.runs = runs
        self.inference = inference
        self.sandbox = sandbox
        self.stuckSkillThreads = stuckSkillThreads
        self.settings = settings
        self.reload = reload
        self.restartNeeded = restartNeeded
        self.skillActivity = skillActivity
    }

    private enum CodingKeys: String, CodingKey {
        case version, abi, pid, socket, skills, runs, inference, sandbox, settings, reload
        case uptimeMilliseconds = "uptime_ms"
        case dataDirectory = "data_dir"
        case stuckSkillThreads = "stuck_skill_threads"
        case restartNeeded = "restart_needed"
        case skillActivity = "skill_activity"
    }

    /// The last reload of the configuration (`host.status`'s `reload`).
    public struct ReloadStatus: Codable, Sendable, Equatable {
        /// When it ended, ISO 8601.
        public var at: String
        /// `applied` or `refused`.
        public var outcome: String
        /// The config file it read; nil: none.
        public var file: String?
        /// Why it was refused, naming the file and the setting; nil when it was applied.
        public var error: String?
        /// What it changed; empty when it was refused or the file changed nothing.
        public var changes: [SettingChange]

        /// A reload as given.
        public init(at: String, outcome: String, file: String?, error: String?, changes: [SettingChange]) {
            self.at = at
            self.outcome = outcome
            self.file = file
            self.error = error
            self.changes = changes
        }
    }

    /// A setting whose value changed, or waits for a restart to change: its config file
    /// key or place in `models` (`models.gemma.endpoints.gemma-1.url`), and its values as
    /// they would be given (nil: none). Never an API key.
    public struct SettingChange: Codable, Sendable, Equatable {
        /// The setting.
        public var setting: String
        /// The value before, or the running one.
        public var old: String?
        /// The new value, or the file's.
        public var new: String?

        /// A change as given.
        public init(setting: String, old: String?, new: String?) {
            self.setting = setting
            self.old = old
            self.new = new
        }
    }

    /// An in-process skill thread still running the code of a run that ended (`host.status`'s
    /// `stuck_skill_threads`).
    public struct StuckSkillThread: Codable, Sendable, Equatable {
        /// The skill, `name@version`; nil for a run the daemon did not record.
        public var skill: String?
        /// The run whose code it runs; nil for a run the daemon did not record.
        public var runID: Int64?
        /// When that run ended, ISO 8601.
        public var since: String
        /// The kernel's id of the thread (`/proc/<pid>/task/<thread_id>`); nil while it has
        /// not started the run.
        public var threadID: Int64?
        /// Whether its scheduling priority was lowered to nice 19.
        public var priorityLowered: Bool

        /// A stuck thread as given.
        public init(skill: String?, runID: Int64?, since: String, threadID: Int64?, priorityLowered: Bool) {
            self.skill = skill
            self.runID = runID
            self.since = since
            self.threadID = threadID
            self.priorityLowered = priorityLowered
        }

        private enum CodingKeys: String, CodingKey {
            case skill, since
            case runID = "run_id"
            case threadID = "thread_id"
            case priorityLowered = "priority_lowered"
        }
    }

    /// One skill version in `host.status`: its lifecycle state and its counters since the daemon started.
    public struct SkillActivity: Codable, Sendable, Equatable {
        /// The skill's name.
        public var skill: String
        /// Its version.
        public var version: String
        /// `enabled`, `disabled` or `draining`.
        public var state: String
        /// Its counters.
        public var counters: SkillCounters

        /// An entry as given.
        public init(skill: String, version: String, state: String, counters: SkillCounters) {
            self.skill = skill
            self.version = version
            self.state = state
            self.counters = counters
        }
    }

    /// The runs of `host.status`.
    public struct RunCounts: Codable, Sendable {
        /// Every run recorded.
        public var total: Int64
        /// The runs in flight now.
        public var running: Int64

        /// Counts as given.
        public init(total: Int64, running: Int64) {
            self.total = total
            self.running = running
        }
    }
}

/// The sandbox of worker processes in `host.status` (docs/SECURITY.md).
public struct SandboxStatus: Codable, Sendable, Equatable {
    /// The `sandbox` setting: `on`, `required` or `off`.
    public var mode: String
    /// Every layer a worker without grants has or lacks on this machine, as a worker
    /// started at start-up reported them; empty when the sandbox is off.
    public var layers: [SandboxReport.Entry]

    /// A status as given.
    public init(mode: String, layers: [SandboxReport.Entry]) {
        self.mode = mode
        self.layers = layers
    }
}

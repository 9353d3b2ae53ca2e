import JSON
import JSONRPC
import SkillhostModel

/// `skills.run`: runs a skill and answers with its output.
public struct RunSkillRequest: SkillhostRequest {
    public static let method = "skills.run"
    public static let summary = "runs a skill (NAME or NAME@VERSION) on an input; with stream, sends run.output and run.log as it goes"
    public static let errorKinds: [ErrorKind] = [
        .notFound, .skillFailed, .inferenceFailed, .timeout, .crashed, .cancelled, .overloaded, .invalidInput,
        .invalidCSICall, .interrupted, .skillDisabled,
    ]
    public typealias Result = RunResult

    /// `NAME` or `NAME@VERSION`.
    public var skill: String
    /// The skill's input; `nil`: `{}`.
    public var input: JSONValue?
    /// The model the skill's inference calls use when they name none; `nil`: the default.
    public var model: String?
    /// The run's deadline; `nil`: the daemon's.
    public var timeoutMilliseconds: Int64?
    /// Whether to stream the output and log lines as notifications.
    public var stream: Bool?

    /// A request as given.
    public init(skill: String, input: JSONValue? = nil, model: String? = nil, timeoutMilliseconds: Int64? = nil,
                stream: Bool? = nil) {
        self.skill = skill
        self.input = input
        self.model = model
        self.timeoutMilliseconds = timeoutMilliseconds
        self.stream = stream
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case skill, input, model, stream
        case timeoutMilliseconds = "timeout_ms"
    }

    /// Reads the params directly (``DirectParams``), not through Codable: every run is a
    /// `skills.run`, and the Codable path cost it 15-30 µs of CPU.
    public static func decodeParams(_ params: JSONValue?) throws(JSONRPCError) -> RunSkillRequest {
        let params = try DirectParams<CodingKeys>(params)
        let request = RunSkillRequest(
            skill: try params.required(.skill), input: try params.optional(.input), model: try params.optional(.model),
            timeoutMilliseconds: try params.optional(.timeoutMilliseconds), stream: try params.optional(.stream))
        try params.refuseUnknown()
        return request
    }

    /// Writes the result directly, for the same reason as ``decodeParams(_:)``.
    public static func encodeResult(_ result: RunResult) throws(JSONRPCError) -> JSONValue {
        result.json
    }
}

/// What a successful `skills.run` answers.
public struct RunResult: Codable, Sendable {
    /// The run's id.
    public var runID: Int64
    /// `succeeded`.
    public var status: String
    /// The skill's output: its JSON value when it is JSON, else a string.
    public var output: JSONValue
    /// Which of the two ``output`` is; `nil` from a daemon older than this field.
    public var outputKind: PayloadKind?
    /// The tokens its inference calls used.
    public var usage: TokenCounts
    /// How long the run took.
    public var durationMilliseconds: Double?

    /// A result as given.
    public init(runID: Int64, status: String, output: JSONValue, outputKind: PayloadKind? = nil, usage: TokenCounts,
                durationMilliseconds: Double?) {
        self.runID = runID
        self.status = status
        self.output = output
        self.outputKind = outputKind
        self.usage = usage
        self.durationMilliseconds = durationMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case status, output, usage
        case runID = "run_id"
        case outputKind = "output_kind"
        case durationMilliseconds = "duration_ms"
    }

    /// The result as JSON, member for member what its Codable conformance writes.
    var json: JSONValue {
        .object([
            CodingKeys.runID.stringValue: .int(runID), CodingKeys.status.stringValue: .string(status),
            CodingKeys.output.stringValue: output,
            CodingKeys.outputKind.stringValue: outputKind.map { JSONValue.string($0.rawValue) } ?? .null,
            CodingKeys.usage.stringValue: usage.json,
            CodingKeys.durationMilliseconds.stringValue: durationMilliseconds.map(JSONValue.double) ?? .null,
        ])
    }
}

/// A run's token usage, as records and results show it.
public struct TokenCounts: Codable, Sendable {
    /// Tokens of the prompts.
    public var promptTokens: Int64
    /// Tokens generated.
    public var completionTokens: Int64

    /// Usage as given.
    public init(promptTokens: Int64, completionTokens: Int64) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// The usage as JSON, member for member what its Codable conformance writes.
    public var json: JSONValue {
        .object([CodingKeys.promptTokens.stringValue: .int(promptTokens),
                 CodingKeys.completionTokens.stringValue: .int(completionTokens)])
    }
}

/// `runs.get`: one run in full.
public struct GetRunRequest: SkillhostRequest {
    public static let method = "runs.get"
    public static let summary = "one run in full: status, times, input, output, error, usage"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// A run record.
    public typealias Result = JSONValue

    /// The run's id.
    public var runID: Int64

    /// A request as given.
    public init(runID: Int64) {
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}

/// `runs.list`: recent runs, newest first.
public struct ListRunsRequest: SkillhostRequest {
    public static let method = "runs.list"
    public static let summary = "recent runs, newest first, without their input and output; before pages"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = RunList

    /// Only runs of this skill: `NAME`, or `NAME@VERSION` for one version.
    public var skill: String?
    /// Only runs in this status.
    public var status: String?
    /// At most this many, 1 to 1000; `nil`: 50.
    public var limit: Int64?
    /// Only runs older than this run id.
    public var before: Int64?

    /// A request as given.
    public init(skill: String? = nil, status: String? = nil, limit: Int64? = nil, before: Int64? = nil) {
        self.skill = skill
        self.status = status
        self.limit = limit
        self.before = before
    }
}

/// What `runs.list` answers.
public struct RunList: Codable, Sendable {
    /// Run records without `input` and `output`.
    public var runs: [JSONValue]

    /// A list as given.
    public init(runs: [JSONValue]) {
        self.runs = runs
    }
}

/// `runs.active`: the runs in flight now.
public struct ActiveRunsRequest: SkillhostRequest {
    public static let method = "runs.active"
    public static let summary = "the runs in flight now, oldest first: skill, model, elapsed time, caller"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = ActiveRuns

    /// The request; it takes no params.
    public init() {}
}

/// What `runs.active` answers.
public struct ActiveRuns: Codable, Sendable {
    /// One run in flight.
    public struct Run: Codable, Sendable, Equatable {
        /// The run's id.
        public var runID: Int64
        /// The skill's name.
        public var skill: String
        /// The skill's version.
        public var version: String
        /// The model its inference calls use when they name none; nil when there is none.
        public var model: String?
        /// Who started it: `rpc`, `schedule`, `batch`.
        public var trigger: String
        /// When it started, ISO 8601 in UTC.
        public var startedAt: String
        /// How long it has run.
        public var elapsedMilliseconds: Double
        /// The uid of the client that asked (for a batch's or a schedule's run, the uid that
        /// started the batch or added the schedule).
        public var callerUID: UInt32?
        /// The pid of the client that asked, as it connected; nil for a batch's or a
        /// schedule's run.
        public var callerPID: Int32?
        /// The name of the token of the client that asked over HTTP (or that started the batch
        /// or added the schedule); nil for a client of the socket.
        public var callerToken: String?
        /// The batch whose item it is an attempt of.
        public var batchID: Int64?
        /// The schedule whose fire started it.
        public var scheduleID: Int64?

        /// A run as given.
        public init(runID: Int64, skill: String, version: String, model: String?, trigger: String, startedAt: String,
                    elapsedMilliseconds: Double, callerUID: UInt32?, callerPID: Int32?, callerToken: String? = nil, batchID: Int64?,
                    scheduleID: Int64?) {
            self.runID = runID
            self.skill = skill
            self.version = version
            self.model = model
            self.trigger = trigger
            self.startedAt = startedAt
            self.elapsedMilliseconds = elapsedMilliseconds
            self.callerUID = callerUID
            self.callerPID = callerPID
            self.callerToken = callerToken
            self.batchID = batchID
            self.scheduleID = scheduleID
        }

        private enum CodingKeys: String, CodingKey {
            case skill, version, model, trigger
            case runID = "run_id"
            case startedAt = "started_at"
            case elapsedMilliseconds = "elapsed_ms"
            case callerUID = "caller_uid"
            case callerPID = "caller_pid"
            case callerToken = "caller_token"
            case batchID = "batch_id"
            case scheduleID = "schedule_id"
        }
    }

    /// The runs in flight, oldest first.
    public var runs: [Run]

    /// An answer as given.
    public init(runs: [Run]) {
        self.runs = runs
    }
}

/// `runs.per_minute`: how many runs were recorded in each of the last minutes.
public struct RunsPerMinuteRequest: SkillhostRequest {
    public static let method = "runs.per_minute"
    public static let summary = "how many runs were recorded in each of the last minutes, oldest first, reading only those runs"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = RunsPerMinute

    /// How many minutes, 1 to 1440; `nil`: 60.
    public var minutes: Int64?

    /// A request as given.
    public init(minutes: Int64? = nil) {
        self.minutes = minutes
    }
}

/// What `runs.per_minute` answers.
public struct RunsPerMinute: Codable, Sendable, Equatable {
    /// When the last minute ends (the daemon's clock as it answered), ISO 8601 in UTC.
    public var until: String
    /// The runs recorded in each minute, oldest first; the last minute ends at ``until``.
    public var counts: [Int64]

    /// An answer as given.
    public init(until: String, counts: [Int64]) {
        self.until = until
        self.counts = counts
    }
}

/// `runs.logs`: the lines a run logged.
public struct RunLogsRequest: SkillhostRequest {
    public static let method = "runs.logs"
    public static let summary = "the lines a run logged, then its worker's stdout and stderr, oldest first"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = RunLogs

    /// The run's id.
    public var runID: Int64

    /// A request as given.
    public init(runID: Int64) {
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}

/// What `runs.logs` answers.
public struct RunLogs: Codable, Sendable {
    /// The run's id.
    public var runID: Int64
    /// Its lines, oldest first.
    public var logs: [Line]

    /// An answer as given.
    public init(runID: Int64, logs: [Line]) {
        self.runID = runID
        self.logs = logs
    }

    private enum CodingKeys: String, CodingKey {
        case logs
        case runID = "run_id"
    }

    /// One logged line.
    public struct Line: Codable, Sendable {
        /// `debug`, `info`, `warning`, `error`, `stdout` or `stderr`.
        public var level: String
        /// The text.
        public var message: String

        /// A line as given.
        public init(level: String, message: String) {
            self.level = level
            self.message = message
        }
    }
}

/// `runs.replay`: runs a recorded run's input again.
public struct ReplayRunRequest: SkillhostRequest {
    public static let method = "runs.replay"
    public static let summary = "runs a recorded run's input again, on the same or another installed version of its skill, recorded with replay_of; answers the new run's record"
    public static let errorKinds: [ErrorKind] = [.notFound, .invalidParams, .overloaded, .skillDisabled]
    /// The new run's record, whatever its status.
    public typealias Result = JSONValue

    /// The run to replay.
    public var runID: Int64
    /// The version of its skill to run; `nil`: the version it ran.
    public var version: String?
    /// The model; `nil`: the one it ran with.
    public var model: String?
    /// The deadline; `nil`: the daemon's.
    public var timeoutMilliseconds: Int64?

    /// A request as given.
    public init(runID: Int64, version: String? = nil, model: String? = nil, timeoutMilliseconds: Int64? = nil) {
        self.runID = runID
        self.version = version
        self.model = model
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case version, model
        case runID = "run_id"
        case timeoutMilliseconds = "timeout_ms"
    }
}

/// `runs.start`: starts a detached run and answers with its id at once.
public struct StartRunRequest: SkillhostRequest {
    public static let method = "runs.start"
    public static let summary = "starts a detached run of a skill and answers its id at once; the run goes on whoever asked"
    public static let errorKinds: [ErrorKind] = [.notFound, .overloaded, .invalidParams]
    public typealias Result = StartedRun

    /// `NAME` or `NAME@VERSION`.
    public var skill: String
    /// The skill's input; `nil`: `{}`.
    public var input: JSONValue?
    /// The model the skill's inference calls use when they name none; `nil`: the default.
    public var model: String?
    /// The run's deadline; `nil`: the daemon's.
    public var timeoutMilliseconds: Int64?

    /// A request as given.
    public init(skill: String, input: JSONValue? = nil, model: String? = nil, timeoutMilliseconds: Int64? = nil) {
        self.skill = skill
        self.input = input
        self.model = model
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case skill, input, model
        case timeoutMilliseconds = "timeout_ms"
    }
}

/// What `runs.start` answers: the run, recorded and under way.
public struct StartedRun: Codable, Sendable {
    /// The run's id, to wait for, attach to or cancel it by.
    public var runID: Int64
    /// `running`.
    public var status: String

    /// An answer as given.
    public init(runID: Int64, status: String) {
        self.runID = runID
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case status
        case runID = "run_id"
    }
}

/// `runs.wait`: waits for a run's end, or for a while.
public struct WaitRunRequest: SkillhostRequest {
    public static let method = "runs.wait"
    public static let summary = "waits for a run to end and answers its record; with timeout_ms, the record as it is then (status running)"
    public static let errorKinds: [ErrorKind] = [.notFound, .invalidParams]
    /// A run record.
    public typealias Result = JSONValue

    /// The run's id.
    public var runID: Int64
    /// How long to wait at most; `nil`: until the run ends.
    public var timeoutMilliseconds: Int64?

    /// A request as given.
    public init(runID: Int64, timeoutMilliseconds: Int64? = nil) {
        self.runID = runID
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case timeoutMilliseconds = "timeout_ms"
    }
}

/// `runs.cancel`: ends a run in flight as `cancelled`.
public struct CancelRunRequest: SkillhostRequest {
    public static let method = "runs.cancel"
    public static let summary = "ends a run in flight at once as cancelled (its invocation trapped, a worker killed) and answers its record"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = CancelledRun

    /// The run's id.
    public var runID: Int64

    /// A request as given.
    public init(runID: Int64) {
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}

/// What `runs.cancel` answers.
public struct CancelledRun: Codable, Sendable {
    /// Whether this cancel ended the run; false when it had ended already.
    public var cancelled: Bool
    /// The run's final record.
    public var run: JSONValue

    /// An answer as given.
    public init(cancelled: Bool, run: JSONValue) {
        self.cancelled = cancelled
        self.run = run
    }
}

/// `runs.attach`: a run's output and log lines from its beginning, then its end.
public struct AttachRunRequest: SkillhostRequest {
    public static let method = "runs.attach"
    public static let summary = "sends a run's run.output and run.log from its beginning, live while it runs, and answers its final record"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The run's final record, without its input and output.
    public typealias Result = JSONValue

    /// The run's id.
    public var runID: Int64

    /// A request as given.
    public init(runID: Int64) {
        self.runID = runID
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
    }
}

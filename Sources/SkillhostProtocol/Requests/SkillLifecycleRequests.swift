import JSON
import JSONRPC
import SkillhostModel

/// `skills.disable`: refuses new runs of a skill until `skills.enable`.
public struct DisableSkillRequest: SkillhostRequest {
    public static let method = "skills.disable"
    public static let summary = "refuses new runs of a skill (every version, or one) with skill_disabled until skills.enable; runs in flight go on; kept across restarts"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = SkillList

    /// The skill's name.
    public var name: String
    /// The one version to disable; `nil`: every version.
    public var version: String?

    /// A request as given.
    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// `skills.enable`: lets a disabled or draining skill run again.
public struct EnableSkillRequest: SkillhostRequest {
    public static let method = "skills.enable"
    public static let summary = "lets a disabled or draining skill (every version, or one) take new runs again"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = SkillList

    /// The skill's name.
    public var name: String
    /// The one version to enable; `nil`: every version.
    public var version: String?

    /// A request as given.
    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// `skills.drain`: refuses new runs of a skill and answers once its runs in flight ended.
public struct DrainSkillRequest: SkillhostRequest {
    public static let method = "skills.drain"
    public static let summary = "refuses new runs of a skill (every version, or one) and answers once its runs in flight have ended, or at timeout_ms; then it stays disabled until skills.enable"
    public static let errorKinds: [ErrorKind] = [.notFound, .invalidParams]
    public typealias Result = DrainedSkill

    /// The skill's name.
    public var name: String
    /// The one version to drain; `nil`: every version.
    public var version: String?
    /// How long to wait for the runs in flight; `nil`: 60 000.
    public var timeoutMilliseconds: Int64?

    /// A request as given.
    public init(name: String, version: String? = nil, timeoutMilliseconds: Int64? = nil) {
        self.name = name
        self.version = version
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case name, version
        case timeoutMilliseconds = "timeout_ms"
    }
}

/// What `skills.drain` answers.
public struct DrainedSkill: Codable, Sendable {
    /// Whether every run in flight ended before the timeout: the skill is `disabled` now; if
    /// not, it is still `draining`.
    public var drained: Bool
    /// How many runs were in flight when the drain began: the ones it waited for.
    public var waitedFor: Int64
    /// How many of them still run (0 when ``drained``).
    public var stillInFlight: Int64
    /// The skill records, as stored now.
    public var skills: [JSONValue]

    /// An answer as given.
    public init(drained: Bool, waitedFor: Int64, stillInFlight: Int64, skills: [JSONValue]) {
        self.drained = drained
        self.waitedFor = waitedFor
        self.stillInFlight = stillInFlight
        self.skills = skills
    }

    private enum CodingKeys: String, CodingKey {
        case drained, skills
        case waitedFor = "waited_for"
        case stillInFlight = "still_in_flight"
    }
}

/// A skill version's runs since the daemon started: the `activity` of a `skills.get` record,
/// and of each of `host.status`'s `skill_activity`.
public struct SkillCounters: Codable, Sendable, Equatable {
    /// Runs waiting for room to start (the daemon refuses a run it has no room for: 0).
    public var queued: Int64
    /// Runs in flight now.
    public var inFlight: Int64
    /// Runs that ended, whatever their status.
    public var finished: Int64
    /// Of those, the ones that did not succeed.
    public var failed: Int64
    /// The median duration of the latest runs that ended; nil before the first.
    public var p50Milliseconds: Double?
    /// Their 99th percentile; nil before the first.
    public var p99Milliseconds: Double?

    /// Counters as given.
    public init(queued: Int64, inFlight: Int64, finished: Int64, failed: Int64, p50Milliseconds: Double?,
                p99Milliseconds: Double?) {
        self.queued = queued
        self.inFlight = inFlight
        self.finished = finished
        self.failed = failed
        self.p50Milliseconds = p50Milliseconds
        self.p99Milliseconds = p99Milliseconds
    }

    private enum CodingKeys: String, CodingKey {
        case queued, finished, failed
        case inFlight = "in_flight"
        case p50Milliseconds = "p50_ms"
        case p99Milliseconds = "p99_ms"
    }
}

import Foundation
import JSON
import SkillhostModel

/// What the status page shows, read from the daemon's answers to the protocol's methods at
/// one moment: a value, so that the page can be rendered (and tested) without a daemon.
package struct StatusSnapshot: Sendable, Equatable {
    /// The daemon itself, from `host.status`.
    package struct Daemon: Sendable, Equatable {
        /// skillhost's version.
        package var version: String
        /// The daemon's process id.
        package var pid: Int64
        /// How long it has served.
        package var uptimeMilliseconds: Double
        /// Every run recorded.
        package var runsTotal: Int64
    }

    /// An installed skill, from `skills.list`.
    package struct Skill: Sendable, Equatable {
        /// Its name.
        package var name: String
        /// Its version.
        package var version: String
        /// `process` or `inprocess`.
        package var isolation: String
        /// Its description.
        package var description: String
    }

    /// A run in flight, from `runs.active`.
    package struct ActiveRun: Sendable, Equatable {
        /// Its id.
        package var runID: Int64
        /// Its skill, `name@version`.
        package var skill: String
        /// `rpc`, `batch` or `schedule`.
        package var trigger: String
        /// How long it has run.
        package var elapsedMilliseconds: Double
        /// Who asked: a token's name, or a uid.
        package var caller: String
    }

    /// A recorded run, from `runs.list`.
    package struct Run: Sendable, Equatable {
        /// Its id.
        package var runID: Int64
        /// Its skill, `name@version`.
        package var skill: String
        /// `queued`, `running`, `succeeded`, `failed`, ...
        package var status: String
        /// When it was recorded, ISO 8601 UTC as the record gives it.
        package var createdAt: String
        /// How long it took; nil while it runs.
        package var durationMilliseconds: Double?
        /// Who asked: a token's name, or a uid.
        package var caller: String
        /// Why it did not succeed (`kind: message`); nil when it did or still runs.
        package var error: String?
    }

    /// A batch, from `batches.list`.
    package struct Batch: Sendable, Equatable {
        /// Its id.
        package var batchID: Int64
        /// Its skill, `name@version`.
        package var skill: String
        /// `running`, `done` or `cancelled`.
        package var status: String
        /// How many items it has.
        package var items: Int64
        /// Its items by status (`pending`, `running`, `done`, `failed`, `cancelled`).
        package var counts: [String: Int64]

        /// The items that ended, done or failed or cancelled.
        package var ended: Int64 { (counts["done"] ?? 0) + (counts["failed"] ?? 0) + (counts["cancelled"] ?? 0) }
    }

    /// An inference endpoint, from `host.status`'s `inference`.
    package struct Endpoint: Sendable, Equatable {
        /// Its name.
        package var name: String
        /// The model it serves.
        package var model: String
        /// The server's base URL.
        package var url: String
        /// Whether its last request or probe succeeded.
        package var healthy: Bool
        /// Requests in flight on it, and how many it takes at once.
        package var outstanding: Int64, maximumConcurrent: Int64
        /// The median and 99th percentile of its latest successful requests; nil before the first.
        package var latencyP50Milliseconds: Double?, latencyP99Milliseconds: Double?
        /// Its latest failure, if any.
        package var lastError: String?
    }

    /// How many runs were recorded in each of the last minutes, from `runs.per_minute`.
    package struct RunsPerMinute: Sendable, Equatable {
        /// The counts, oldest minute first.
        package var counts: [Int]
        /// When the last minute ends.
        package var until: Date
    }

    /// When the answers were read.
    package var takenAt: Date
    /// The daemon.
    package var daemon: Daemon
    /// The installed skills, by name then version.
    package var skills: [Skill]
    /// The runs in flight, oldest first.
    package var activeRuns: [ActiveRun]
    /// The latest runs, newest first.
    package var latestRuns: [Run]
    /// The latest batches, newest first.
    package var batches: [Batch]
    /// The inference endpoints, by model then name.
    package var endpoints: [Endpoint]
    /// The chart's counts.
    package var runsPerMinute: RunsPerMinute
}

extension StatusSnapshot {
    /// How many minutes the chart of runs covers.
    package static let chartMinutes = 60
    /// How many of the latest runs the page lists.
    package static let listedRuns = 25
    /// How many of the latest batches the page lists.
    package static let listedBatches = 10

    /// The snapshot of the answers of `host.status`, `skills.list`, `runs.active`, `runs.list`
    /// (newest first), `runs.per_minute` and `batches.list`, taken at `takenAt`. A member an
    /// answer lacks reads as empty or zero: the page shows what there is rather than nothing.
    package init(hostStatus: JSONValue, skills: JSONValue, activeRuns: JSONValue, runs: JSONValue, runsPerMinute: JSONValue,
                 batches: JSONValue, takenAt: Date) {
        self.takenAt = takenAt
        daemon = Daemon(version: hostStatus["version"]?.stringValue ?? "", pid: hostStatus["pid"]?.int64Value ?? 0,
                        uptimeMilliseconds: hostStatus["uptime_ms"]?.doubleValue ?? 0,
                        runsTotal: hostStatus["runs"]?["total"]?.int64Value ?? 0)
        self.skills = (skills["skills"]?.arrayValue ?? []).map { skill in
            Skill(name: skill["name"]?.stringValue ?? "", version: skill["version"]?.stringValue ?? "",
                  isolation: skill["isolation"]?.stringValue ?? "", description: skill["description"]?.stringValue ?? "")
        }
        self.activeRuns = (activeRuns["runs"]?.arrayValue ?? []).map { run in
            ActiveRun(runID: run["run_id"]?.int64Value ?? 0, skill: Self.skill(of: run), trigger: run["trigger"]?.stringValue ?? "",
                      elapsedMilliseconds: run["elapsed_ms"]?.doubleValue ?? 0, caller: Self.caller(of: run))
        }
        latestRuns = (runs["runs"]?.arrayValue ?? []).prefix(Self.listedRuns).map { run in
            let error = run["error"].flatMap { error -> String? in
                guard let message = error["message"]?.stringValue else { return nil }
                return "\(error["kind"]?.stringValue ?? "error"): \(message)"
            }
            return Run(runID: run["run_id"]?.int64Value ?? 0, skill: Self.skill(of: run), status: run["status"]?.stringValue ?? "",
                       createdAt: run["created_at"]?.stringValue ?? "", durationMilliseconds: run["duration_ms"]?.doubleValue,
                       caller: Self.caller(of: run), error: error)
        }
        self.batches = (batches["batches"]?.arrayValue ?? []).prefix(Self.listedBatches).map { batch in
            Batch(batchID: batch["batch_id"]?.int64Value ?? 0, skill: Self.skill(of: batch),
                  status: batch["status"]?.stringValue ?? "", items: batch["items"]?.int64Value ?? 0,
                  counts: (batch["counts"]?.objectValue ?? [:]).compactMapValues(\.int64Value))
        }
        endpoints = (hostStatus["inference"]?["endpoints"]?.arrayValue ?? []).map { endpoint in
            Endpoint(name: endpoint["name"]?.stringValue ?? "", model: endpoint["model"]?.stringValue ?? "",
                     url: endpoint["url"]?.stringValue ?? "", healthy: endpoint["healthy"]?.boolValue ?? false,
                     outstanding: endpoint["outstanding"]?.int64Value ?? 0,
                     maximumConcurrent: endpoint["max_concurrent"]?.int64Value ?? 0,
                     latencyP50Milliseconds: endpoint["latency_p50_ms"]?.doubleValue,
                     latencyP99Milliseconds: endpoint["latency_p99_ms"]?.doubleValue,
                     lastError: endpoint["last_error"]?.stringValue)
        }
        self.runsPerMinute = RunsPerMinute(
            counts: (runsPerMinute["counts"]?.arrayValue ?? []).map { Int($0.int64Value ?? 0) },
            until: runsPerMinute["until"]?.stringValue.flatMap(Date.init(iso8601:)) ?? takenAt)
    }

    /// `name@version` of a record's `skill` and `version`.
    private static func skill(of record: JSONValue) -> String {
        let name = record["skill"]?.stringValue ?? ""
        guard let version = record["version"]?.stringValue else { return name }
        return "\(name)@\(version)"
    }

    /// Who asked for a record's work: `token NAME`, `uid N`, or nothing.
    private static func caller(of record: JSONValue) -> String {
        if let token = record["caller_token"]?.stringValue { return "token \(token)" }
        if let uid = record["caller_uid"]?.int64Value { return "uid \(uid)" }
        return ""
    }
}

import Foundation
import JSON
import JSONRPC
import Registry
import SkillDaemon
import SkillhostModel
import SkillhostProtocol

/// The JSON shapes of docs/PROTOCOL.md for registry records.
enum RecordEncoding {
    /// A skill record.
    static func json(_ skill: SkillRecord) -> JSONValue {
        var flags: [JSONValue] = []
        if skill.flags & 1 != 0 { flags.append("serial") }
        return .object([
            "name": .string(skill.name),
            "version": .string(skill.version),
            "sha256": .string(skill.sha256),
            "size": .int(skill.size),
            "description": .string(skill.description),
            "input_schema": skill.inputSchema.map(payload) ?? .null,
            "output_schema": skill.outputSchema.map(payload) ?? .null,
            "flags": .array(flags),
            "abi": .string("\(skill.abiMajor).\(skill.abiMinor)"),
            "isolation": .string(skill.isolation.rawValue),
            "memory_limit_bytes": skill.memoryLimitBytes.map(JSONValue.int) ?? .null,
            "grants": json(skill.grants),
            "state": .string(skill.state.rawValue),
            "installed_at": timestamp(skill.installedAt),
        ])
    }

    /// A skill record with its `activity` since the daemon started: what `skills.get` answers.
    static func json(_ skill: SkillRecord, activity: SkillActivity.Counters) -> JSONValue {
        guard case var .object(fields) = json(skill) else { return json(skill) }
        fields["activity"] = json(activity)
        return .object(fields)
    }

    /// A skill version's counters since the daemon started, as `skills.get` and `host.status` show them.
    static func counters(_ counters: SkillActivity.Counters) -> SkillCounters {
        SkillCounters(
            queued: Int64(counters.queued), inFlight: Int64(counters.inFlight), finished: Int64(counters.finished),
            failed: Int64(counters.failed), p50Milliseconds: counters.p50?.milliseconds,
            p99Milliseconds: counters.p99?.milliseconds)
    }

    /// `counters` as JSON; a percentile is null before the first run ended.
    static func json(_ counters: SkillActivity.Counters) -> JSONValue {
        (try? JSONValueEncoder(nilMembers: .null).encode(Self.counters(counters))) ?? .null
    }

    /// A skill's grants; a limit of `null` is the daemon's default.
    static func json(_ grants: SkillGrants) -> JSONValue {
        .object([
            "network": .string(grants.network.rawValue),
            "read_only_paths": .array(grants.readOnlyPaths.map(JSONValue.string)),
            "process_limit": grants.processLimit.map { .int(Int64($0)) } ?? .null,
            "cpu_seconds_per_run": grants.cpuSecondsPerRun.map { .int(Int64($0)) } ?? .null,
        ])
    }

    /// A run record; `input` and `output` are JSON values when their text is JSON, and
    /// `output_kind` says which.
    static func json(_ run: RunRecord, includePayloads: Bool = true) -> JSONValue {
        var fields: [String: JSONValue] = [
            "run_id": .int(run.id),
            "skill": .string(run.skillName),
            "version": .string(run.skillVersion),
            "sha256": .string(run.skillSHA256),
            "status": .string(run.status.rawValue),
            "error": run.errorKind.map { kind in
                .object(["kind": .string(kind.rawValue), "message": .string(run.errorMessage ?? "")])
            } ?? .null,
            "model": run.model.map(JSONValue.string) ?? .null,
            "trigger": .string(run.trigger),
            "caller_uid": run.callerUID.map { .int(Int64($0)) } ?? .null,
            "caller_token": run.callerToken.map(JSONValue.string) ?? .null,
            "created_at": timestamp(run.createdAt),
            "started_at": run.startedAt.map(timestamp) ?? .null,
            "finished_at": run.finishedAt.map(timestamp) ?? .null,
            "duration_ms": run.duration.map { .double($0.milliseconds) } ?? .null,
            "usage": TokenCounts(
                promptTokens: Int64(run.usage.promptTokens), completionTokens: Int64(run.usage.completionTokens)).json,
            "batch_id": run.batchID.map(JSONValue.int) ?? .null,
            "batch_item": run.batchItem.map { .int(Int64($0)) } ?? .null,
            "schedule_id": run.scheduleID.map(JSONValue.int) ?? .null,
            "replay_of": run.replayOf.map(JSONValue.int) ?? .null,
        ]
        if includePayloads {
            fields["input"] = payload(run.input)
            fields.merge(output(run.output)) { _, new in new }
        }
        return .object(fields)
    }

    /// Token usage.
    static func usage(_ usage: RunUsage) -> TokenCounts {
        TokenCounts(promptTokens: Int64(usage.promptTokens), completionTokens: Int64(usage.completionTokens))
    }

    /// `output` and `output_kind` for an output, both null when there is none.
    static func output(_ text: String?) -> [String: JSONValue] {
        let output = text.map(PayloadKind.value(of:))
        return ["output": output?.value ?? .null, "output_kind": output.map { JSONValue.string($0.kind.rawValue) } ?? .null]
    }

    /// Text that is JSON as its value; any other text as a string.
    static func payload(_ text: String) -> JSONValue {
        (try? JSONValue(parsing: text)) ?? .string(text)
    }

    /// ISO 8601 in UTC with milliseconds.
    static func timestamp(_ date: Date) -> JSONValue {
        .string(date.iso8601)
    }
}

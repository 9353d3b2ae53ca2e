import Foundation
import JSON
import Registry
import Scheduling

/// The JSON shapes of docs/PROTOCOL.md for schedules and their fires.
enum ScheduleEncoding {
    /// A schedule record, with its latest fires when given (newest first).
    static func json(_ schedule: ScheduleRecord, fires: [ScheduleFire]? = nil) -> JSONValue {
        let zone = TimeZone(identifier: schedule.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        var fields: [String: JSONValue] = [
            "schedule_id": .int(schedule.id),
            "skill": .string(schedule.skill),
            "cron": .string(schedule.cron),
            "timezone": .string(schedule.timeZone),
            "input": .null,
            "input_file": .null,
            "parallelism": .int(Int64(schedule.parallelism)),
            "concurrency": .string(schedule.concurrency.rawValue),
            "catch_up": .string(schedule.catchUp.rawValue),
            "paused": .bool(schedule.paused),
            "caller_uid": schedule.callerUID.map { .int(Int64($0)) } ?? .null,
            "caller_token": schedule.callerToken.map(JSONValue.string) ?? .null,
            "created_at": RecordEncoding.timestamp(schedule.createdAt),
            "last_fire_at": schedule.lastFireAt.map(RecordEncoding.timestamp) ?? .null,
            "next_fire_at": schedule.nextFireAt.map { .string($0.iso8601(in: zone)) } ?? .null,
            "next_fire_at_utc": schedule.nextFireAt.map(RecordEncoding.timestamp) ?? .null,
        ]
        switch schedule.input {
        case let .fixed(text): fields["input"] = RecordEncoding.payload(text)
        case let .file(path): fields["input_file"] = .string(path)
        }
        if let fires {
            fields["fires"] = .array(fires.map(json))
        }
        return .object(fields)
    }

    /// One fire of a schedule.
    static func json(_ fire: ScheduleFire) -> JSONValue {
        .object([
            "scheduled_at": RecordEncoding.timestamp(fire.scheduledAt),
            "fired_at": RecordEncoding.timestamp(fire.firedAt),
            "outcome": .string(fire.outcome.rawValue),
            "run_id": fire.runID.map(JSONValue.int) ?? .null,
            "batch_id": fire.batchID.map(JSONValue.int) ?? .null,
            "reason": fire.reason.map(JSONValue.string) ?? .null,
        ])
    }
}

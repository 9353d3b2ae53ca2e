import Foundation
import JSON
import JSONRPC
import SkillhostProtocol

/// How `skillctl schedules ...` prints the daemon's answers for a person.
enum ScheduleOutput {
    /// `schedules list`: one line a schedule.
    static func renderList(_ result: ScheduleList) -> String {
        let schedules = result.schedules
        guard !schedules.isEmpty else { return "no schedules: add one with `skillctl schedules add SKILL --cron EXPR`" }
        var table = TextTable(header: ["ID", "SKILL", "CRON", "ZONE", "STATE", "NEXT FIRE", "INPUT"])
        for schedule in schedules {
            table.append([
                Formatting.plain(schedule["schedule_id"]), Formatting.plain(schedule["skill"]),
                Formatting.plain(schedule["cron"]), Formatting.plain(schedule["timezone"]),
                schedule["paused"] == true ? "paused" : "active", time(schedule["next_fire_at"], of: schedule),
                input(schedule),
            ])
        }
        return table.rendered
    }

    /// One schedule, with its latest fires when the record has them.
    static func renderSchedule(_ schedule: JSONValue) -> String {
        var text = TextTable.keyValues([
            ("id", Formatting.plain(schedule["schedule_id"])),
            ("skill", Formatting.plain(schedule["skill"])),
            ("cron", Formatting.plain(schedule["cron"])),
            ("time zone", Formatting.plain(schedule["timezone"])),
            ("input", input(schedule)),
            ("parallelism", schedule["input_file"] == .null ? nil : Formatting.plain(schedule["parallelism"])),
            ("concurrency", Formatting.plain(schedule["concurrency"])),
            ("catch-up", Formatting.plain(schedule["catch_up"])),
            ("state", schedule["paused"] == true ? "paused" : "active"),
            ("last fire", time(schedule["last_fire_at"], of: schedule)),
            ("next fire", time(schedule["next_fire_at"], of: schedule)),
        ])
        if let fires = schedule["fires"]?.arrayValue, !fires.isEmpty {
            var table = TextTable(header: ["SCHEDULED", "FIRED", "OUTCOME", "WORK", "REASON"])
            for fire in fires {
                table.append([
                    time(fire["scheduled_at"], of: schedule), time(fire["fired_at"], of: schedule),
                    Formatting.plain(fire["outcome"]), work(fire), fire["reason"] == .null ? "" : Formatting.plain(fire["reason"]),
                ])
            }
            text += "\n\nlatest fires:\n" + table.rendered
        }
        return text
    }

    /// The fire `schedules trigger` made.
    static func renderFire(_ fire: JSONValue) -> String {
        let outcome = Formatting.plain(fire["outcome"])
        if outcome == "started" { return "fired: \(work(fire)) started" }
        return "fired: \(outcome): \(Formatting.plain(fire["reason"]))"
    }

    /// A time of a schedule, in the schedule's own zone (with its offset, as every time
    /// skillctl shows), or "-".
    private static func time(_ value: JSONValue?, of schedule: JSONValue) -> String {
        let zone = schedule["timezone"]?.stringValue.flatMap(TimeZone.init(identifier:)) ?? .current
        return Formatting.time(value, in: zone) ?? "-"
    }

    /// `run 12` or `batch 3`.
    private static func work(_ fire: JSONValue) -> String {
        if let run = fire["run_id"], run != .null { return "run \(Formatting.plain(run))" }
        if let batch = fire["batch_id"], batch != .null { return "batch \(Formatting.plain(batch))" }
        return "-"
    }

    /// `{...}` for a fixed input, `batch over FILE` for an input file.
    private static func input(_ schedule: JSONValue) -> String {
        if let file = schedule["input_file"], file != .null { return "batch over \(Formatting.plain(file))" }
        return Formatting.trimmed(schedule["input"]?.serialized() ?? "{}", to: 60)
    }
}

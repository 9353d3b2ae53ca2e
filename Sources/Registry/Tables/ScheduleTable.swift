import Foundation

/// The SQL of the `schedules` and `schedule_fires` tables. Every function runs on a
/// connection the caller holds, inside the caller's transaction.
enum ScheduleTable {
    private static let columns = """
        id, skill, cron, time_zone, input, input_file, parallelism, concurrency, catch_up, paused,
        caller_uid, caller_gid, caller_token, caller_token_id, created_at, last_fire_at, next_fire_at
        """

    /// Inserts `schedule` and returns its new id.
    static func insert(_ schedule: NewSchedule, in database: DatabaseConnection) throws(RegistryError) -> Int64 {
        let (input, inputFile): (String?, String?) = switch schedule.input {
        case let .fixed(text): (text, nil)
        case let .file(path): (nil, path)
        }
        try mapped(database.execute("""
            INSERT INTO schedules (skill, cron, time_zone, input, input_file, parallelism, concurrency, catch_up,
                                   caller_uid, caller_gid, caller_token, caller_token_id, created_at, next_fire_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                schedule.skill, schedule.cron, schedule.timeZone, input, inputFile, schedule.parallelism,
                schedule.concurrency.rawValue, schedule.catchUp.rawValue, schedule.callerUID, schedule.callerGID,
                schedule.callerToken, schedule.callerTokenID,
                DatabaseTime.microseconds(schedule.createdAt), schedule.nextFireAt.map(DatabaseTime.microseconds),
            ]))
        return database.lastInsertedRowID
    }

    /// The schedule with `id`.
    static func find(id: Int64, in database: DatabaseConnection) throws(RegistryError) -> ScheduleRecord? {
        try mapped(database.fetchOne(ScheduleRecord.self, "SELECT \(columns) FROM schedules WHERE id = ?", [id]))
    }

    /// Every schedule, oldest first.
    static func all(in database: DatabaseConnection) throws(RegistryError) -> [ScheduleRecord] {
        try mapped(database.fetchAll(ScheduleRecord.self, "SELECT \(columns) FROM schedules ORDER BY id"))
    }

    /// Deletes the schedule with `id` and its fires.
    static func delete(id: Int64, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("DELETE FROM schedule_fires WHERE schedule_id = ?", [id]))
        try mapped(database.execute("DELETE FROM schedules WHERE id = ?", [id]))
    }

    /// Sets whether the schedule with `id` is paused, and its next fire time.
    static func update(id: Int64, paused: Bool, nextFireAt: Date?, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute(
            "UPDATE schedules SET paused = ?, next_fire_at = ? WHERE id = ?",
            [paused ? 1 : 0, nextFireAt.map(DatabaseTime.microseconds), id]))
    }

    /// Sets the next fire time of the schedule with `id`, and its last fire time when given.
    static func update(id: Int64, lastFireAt: Date?, nextFireAt: Date?, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute(
            "UPDATE schedules SET last_fire_at = coalesce(?, last_fire_at), next_fire_at = ? WHERE id = ?",
            [lastFireAt.map(DatabaseTime.microseconds), nextFireAt.map(DatabaseTime.microseconds), id]))
    }

    /// Appends `fire` to the fires of the schedule with `id`.
    static func insert(_ fire: ScheduleFire, scheduleID id: Int64, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("""
            INSERT INTO schedule_fires (schedule_id, scheduled_at, fired_at, outcome, run_id, batch_id, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [
                id, DatabaseTime.microseconds(fire.scheduledAt), DatabaseTime.microseconds(fire.firedAt),
                fire.outcome.rawValue, fire.runID, fire.batchID, fire.reason,
            ]))
    }

    /// The last `limit` fires of the schedule with `id`, newest first.
    static func fires(scheduleID id: Int64, limit: Int, in database: DatabaseConnection) throws(RegistryError) -> [ScheduleFire] {
        try mapped(database.fetchAll(ScheduleFire.self, """
            SELECT scheduled_at, fired_at, outcome, run_id, batch_id, reason FROM schedule_fires
            WHERE schedule_id = ? ORDER BY id DESC LIMIT ?
            """, [id, max(limit, 0)]))
    }
}

extension ScheduleRecord: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        let input: ScheduleInput = if let text = try row.optionalText("input") {
            .fixed(text)
        } else {
            .file(path: try row.text("input_file"))
        }
        try self.init(
            id: row.int64("id"), skill: row.text("skill"), cron: row.text("cron"), timeZone: row.text("time_zone"),
            input: input,
            parallelism: Int(row.int64("parallelism")), concurrency: row.decode(ScheduleConcurrency.self, "concurrency"),
            catchUp: row.decode(ScheduleCatchUp.self, "catch_up"), paused: row.int64("paused") != 0,
            callerUID: row.optionalInt64("caller_uid").map { UInt32(truncatingIfNeeded: $0) },
            callerGID: row.optionalInt64("caller_gid").map { UInt32(truncatingIfNeeded: $0) },
            callerToken: row.optionalText("caller_token"), callerTokenID: row.optionalInt64("caller_token_id"),
            createdAt: DatabaseTime.date(microseconds: row.int64("created_at")),
            lastFireAt: row.optionalInt64("last_fire_at").map(DatabaseTime.date(microseconds:)),
            nextFireAt: row.optionalInt64("next_fire_at").map(DatabaseTime.date(microseconds:)))
    }
}

extension ScheduleFire: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(
            scheduledAt: DatabaseTime.date(microseconds: row.int64("scheduled_at")),
            firedAt: DatabaseTime.date(microseconds: row.int64("fired_at")),
            outcome: row.decode(ScheduleFireOutcome.self, "outcome"), runID: row.optionalInt64("run_id"),
            batchID: row.optionalInt64("batch_id"), reason: row.optionalText("reason"))
    }
}

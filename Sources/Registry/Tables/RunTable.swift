import Foundation
import SkillhostModel

/// The SQL of the `runs` table. Every function runs on a connection the caller holds,
/// inside the caller's transaction.
enum RunTable {
    private static let columns = """
        id, skill_name, skill_version, skill_sha256, input, output, status, error_kind, error_message,
        model, trigger, caller_uid, caller_token, caller_token_id, created_at, started_at, finished_at, duration_us, prompt_tokens,
        completion_tokens, batch_id, batch_item, schedule_id, replay_of
        """
    private static let unfinishedStatuses = "('queued', 'running')"

    /// Inserts `run` and returns its new id.
    static func insert(_ run: NewRun, in database: DatabaseConnection) throws(RegistryError) -> Int64 {
        try mapped(database.execute("""
            INSERT INTO runs (skill_name, skill_version, skill_sha256, input, status, model, trigger,
                              caller_uid, caller_token, caller_token_id, created_at, started_at, batch_id, batch_item,
                              schedule_id, replay_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [
                run.skillName, run.skillVersion, run.skillSHA256, run.input, run.status.rawValue, run.model,
                run.trigger, run.callerUID, run.callerToken, run.callerTokenID, DatabaseTime.microseconds(run.createdAt),
                run.startedAt.map(DatabaseTime.microseconds), run.batchID, run.batchItem, run.scheduleID,
                run.replayOf,
            ]))
        return database.lastInsertedRowID
    }

    /// The run with `id`.
    static func find(id: Int64, in database: DatabaseConnection) throws(RegistryError) -> RunRecord? {
        try mapped(database.fetchOne(RunRecord.self, "SELECT \(columns) FROM runs WHERE id = ?", [id]))
    }

    /// Moves a queued run to running; returns whether a row changed.
    static func markRunning(id: Int64, at date: Date, in database: DatabaseConnection) throws(RegistryError) -> Bool {
        try mapped(database.execute(
            "UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
            [DatabaseTime.microseconds(date), id]))
        return database.changedRowCount > 0
    }

    /// Writes the final state of an unfinished run; returns whether a row changed (a finished
    /// run is left as it is).
    static func finish(
        id: Int64, with completion: RunCompletion, in database: DatabaseConnection
    ) throws(RegistryError) -> Bool {
        try mapped(database.execute("""
            UPDATE runs SET status = ?, output = ?, error_kind = ?, error_message = ?, finished_at = ?,
                            duration_us = ?, prompt_tokens = ?, completion_tokens = ?
            WHERE id = ? AND status IN \(unfinishedStatuses)
            """, [
                completion.status.rawValue, completion.output, completion.errorKind?.rawValue, completion.errorMessage,
                DatabaseTime.microseconds(completion.finishedAt), completion.duration.map(DatabaseTime.microseconds),
                completion.usage.promptTokens, completion.usage.completionTokens, id,
            ]))
        return database.changedRowCount > 0
    }

    /// One page of runs, newest first. Each filter has its own constant SQL text, so each
    /// combination is prepared once and served by the `runs_by_skill` or `runs_by_status` index.
    static func page(matching query: RunQuery, in database: DatabaseConnection) throws(RegistryError) -> [RunRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let skillName = query.skillName {
            conditions.append("skill_name = ?")
            arguments.append(skillName)
            if let skillVersion = query.skillVersion {
                conditions.append("skill_version = ?")
                arguments.append(skillVersion)
            }
        }
        if let status = query.status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let before = query.before {
            conditions.append("id < ?")
            arguments.append(before)
        }
        arguments.append(max(query.limit, 0))
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try mapped(database.fetchAll(
            RunRecord.self, "SELECT \(columns) FROM runs \(filter) ORDER BY id DESC LIMIT ?", arguments))
    }

    /// The ids of every queued or running run, oldest first.
    static func unfinishedIDs(in database: DatabaseConnection) throws(RegistryError) -> [Int64] {
        try mapped(database.fetchAll("SELECT id FROM runs WHERE status IN \(unfinishedStatuses) ORDER BY id") {
            $0.int64(at: 0)
        })
    }

    /// Moves every queued or running run to interrupted.
    static func interruptUnfinished(at date: Date, message: String, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("""
            UPDATE runs SET status = 'interrupted', error_kind = 'interrupted', error_message = ?, finished_at = ?
            WHERE status IN \(unfinishedStatuses)
            """, [message, DatabaseTime.microseconds(date)]))
    }

    /// How many runs were created in each of the `minutes` minutes that end at `end`, oldest
    /// first. Ids grow with creation times, so only the runs of the window are read: from the
    /// newest back to the first created before the window, not the whole table.
    static func countsPerMinute(minutes: Int, endingAt end: Date, in database: DatabaseConnection) throws(RegistryError) -> [Int] {
        let minute: Int64 = 60_000_000
        let endMicroseconds = DatabaseTime.microseconds(end)
        let startMicroseconds = endMicroseconds - Int64(minutes) * minute
        let rows = try mapped(database.fetchAll("""
            SELECT (created_at - ?1) / \(minute), count(*) FROM runs
            WHERE id > coalesce((SELECT id FROM runs WHERE created_at < ?1 ORDER BY id DESC LIMIT 1), 0)
              AND created_at >= ?1 AND created_at < ?2
            GROUP BY 1
            """, [startMicroseconds, endMicroseconds]) { (Int($0.int64(at: 0)), Int($0.int64(at: 1))) })
        var counts = [Int](repeating: 0, count: max(minutes, 0))
        for (index, count) in rows where counts.indices.contains(index) {
            counts[index] = count
        }
        return counts
    }

    /// The number of runs, and of those not yet final.
    static func counts(in database: DatabaseConnection) throws(RegistryError) -> (total: Int, unfinished: Int) {
        // Two queries, not one with a FILTER clause: each is answered from the status index
        // alone, where the single query read every row of the table (at 1,000,000 runs:
        // 10 ms against 70 ms).
        let total = try mapped(database.fetchOne("SELECT count(*) FROM runs") { Int($0.int64(at: 0)) }) ?? 0
        let unfinished = try mapped(database.fetchOne(
            "SELECT count(*) FROM runs WHERE status IN \(unfinishedStatuses)") { Int($0.int64(at: 0)) }) ?? 0
        return (total, unfinished)
    }
}

extension RunRecord: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(
            id: row.int64("id"), skillName: row.text("skill_name"), skillVersion: row.text("skill_version"),
            skillSHA256: row.text("skill_sha256"), input: row.text("input"), output: row.optionalText("output"),
            status: row.decode(RunStatus.self, "status"), errorKind: row.optionalDecode(ErrorKind.self, "error_kind"),
            errorMessage: row.optionalText("error_message"), model: row.optionalText("model"),
            trigger: row.text("trigger"),
            callerUID: row.optionalInt64("caller_uid").map { UInt32(truncatingIfNeeded: $0) },
            callerToken: row.optionalText("caller_token"), callerTokenID: row.optionalInt64("caller_token_id"),
            createdAt: DatabaseTime.date(microseconds: row.int64("created_at")),
            startedAt: row.optionalInt64("started_at").map(DatabaseTime.date(microseconds:)),
            finishedAt: row.optionalInt64("finished_at").map(DatabaseTime.date(microseconds:)),
            duration: row.optionalInt64("duration_us").map(DatabaseTime.duration(microseconds:)),
            usage: RunUsage(
                promptTokens: Int(row.int64("prompt_tokens")), completionTokens: Int(row.int64("completion_tokens"))),
            batchID: row.optionalInt64("batch_id"), batchItem: row.optionalInt64("batch_item").map { Int($0) },
            scheduleID: row.optionalInt64("schedule_id"), replayOf: row.optionalInt64("replay_of"))
    }
}

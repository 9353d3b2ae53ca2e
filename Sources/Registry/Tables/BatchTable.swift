import Foundation

/// The SQL of the `batches` table. Every function runs on a connection the caller holds,
/// inside the caller's transaction.
enum BatchTable {
    private static let columns = """
        id, skill_name, skill_version, skill_sha256, parallelism, max_retries, timeout_ms, model,
        caller_uid, caller_token, caller_token_id, status, created_at, finished_at, schedule_id
        """

    /// Inserts `batch` (not its items) as running and returns its new id.
    static func insert(_ batch: NewBatch, in database: DatabaseConnection) throws(RegistryError) -> Int64 {
        try mapped(database.execute("""
            INSERT INTO batches (skill_name, skill_version, skill_sha256, parallelism, max_retries, timeout_ms,
                                 model, caller_uid, caller_token, caller_token_id, status, created_at, schedule_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)
            """, [
                batch.skillName, batch.skillVersion, batch.skillSHA256, batch.parallelism, batch.maximumRetries,
                batch.timeoutMilliseconds, batch.model, batch.callerUID, batch.callerToken, batch.callerTokenID, DatabaseTime.microseconds(batch.createdAt), batch.scheduleID,
            ]))
        return database.lastInsertedRowID
    }

    /// The batch with `id`, with the counts of its items.
    static func find(id: Int64, in database: DatabaseConnection) throws(RegistryError) -> BatchRecord? {
        guard let row = try mapped(database.fetchOne(BatchRow.self, "SELECT \(columns) FROM batches WHERE id = ?", [id]))
        else { return nil }
        return row.record(counts: try BatchItemTable.counts(batchID: id, in: database))
    }

    /// At most `limit` batches, newest first, those before the batch `before` when given;
    /// each with the counts of its items.
    static func page(limit: Int, before: Int64?, in database: DatabaseConnection) throws(RegistryError) -> [BatchRecord] {
        let rows = try mapped(database.fetchAll(
            BatchRow.self, "SELECT \(columns) FROM batches WHERE id < ? ORDER BY id DESC LIMIT ?",
            [before ?? Int64.max, max(limit, 0)]))
        var page: [BatchRecord] = []
        for row in rows {
            page.append(row.record(counts: try BatchItemTable.counts(batchID: row.values.id, in: database)))
        }
        return page
    }

    /// The status of the batch with `id`, and whether it has finished.
    static func state(id: Int64, in database: DatabaseConnection) throws(RegistryError) -> (status: BatchStatus, finished: Bool)? {
        try mapped(database.fetchOne("SELECT status, finished_at IS NOT NULL FROM batches WHERE id = ?", [id]) {
            (status: BatchStatus(rawValue: $0.text(at: 0)) ?? .running, finished: $0.int64(at: 1) != 0)
        })
    }

    /// Sets the status of the batch with `id`.
    static func setStatus(_ status: BatchStatus, id: Int64, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("UPDATE batches SET status = ? WHERE id = ?", [status.rawValue, id]))
    }

    /// Ends the batch with `id` at `date` when none of its items is pending or running: a
    /// running batch becomes done, a cancelled one keeps its status. Returns whether it ended.
    static func finishIfComplete(id: Int64, at date: Date, in database: DatabaseConnection) throws(RegistryError) -> Bool {
        guard try !BatchItemTable.hasUnfinished(batchID: id, in: database) else { return false }
        try mapped(database.execute("""
            UPDATE batches SET status = CASE status WHEN 'running' THEN 'done' ELSE status END, finished_at = ?
            WHERE id = ? AND finished_at IS NULL
            """, [DatabaseTime.microseconds(date), id]))
        return database.changedRowCount > 0
    }

    /// The ids of the batches that have not finished, oldest first.
    static func unfinishedIDs(in database: DatabaseConnection) throws(RegistryError) -> [Int64] {
        try mapped(database.fetchAll("SELECT id FROM batches WHERE finished_at IS NULL ORDER BY id") { $0.int64(at: 0) })
    }
}

/// A row of `batches` without its counts.
private struct BatchRow: FetchableRecord {
    let values: BatchRecord

    init(row: Statement) throws(DatabaseError) {
        values = try BatchRecord(
            id: row.int64("id"), skillName: row.text("skill_name"), skillVersion: row.text("skill_version"),
            skillSHA256: row.text("skill_sha256"), parallelism: Int(row.int64("parallelism")),
            maximumRetries: Int(row.int64("max_retries")),
            timeoutMilliseconds: row.optionalInt64("timeout_ms"), model: row.optionalText("model"),
            callerUID: row.optionalInt64("caller_uid").map { UInt32(truncatingIfNeeded: $0) },
            callerToken: row.optionalText("caller_token"), callerTokenID: row.optionalInt64("caller_token_id"),
            status: row.decode(BatchStatus.self, "status"),
            createdAt: DatabaseTime.date(microseconds: row.int64("created_at")),
            finishedAt: row.optionalInt64("finished_at").map(DatabaseTime.date(microseconds:)), counts: BatchCounts(),
            scheduleID: row.optionalInt64("schedule_id"))
    }

    func record(counts: BatchCounts) -> BatchRecord {
        var record = values
        record.counts = counts
        return record
    }
}

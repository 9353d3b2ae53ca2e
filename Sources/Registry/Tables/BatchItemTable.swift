import Foundation
import SkillhostModel

/// The SQL of the `batch_items` table. Every function runs on a connection the caller holds,
/// inside the caller's transaction.
enum BatchItemTable {
    private static let columns = """
        batch_id, item_index, input, status, attempts, run_id, output, error_kind, error_message, not_before
        """

    /// Inserts the items of batch `batchID` as pending, indexed from 0 in the order given.
    static func insert(inputs: [String], batchID: Int64, in database: DatabaseConnection) throws(RegistryError) {
        for (index, input) in inputs.enumerated() {
            try mapped(database.execute(
                "INSERT INTO batch_items (batch_id, item_index, input, status) VALUES (?, ?, ?, 'pending')",
                [batchID, index, input]))
        }
    }

    /// The item `index` of batch `batchID`.
    static func find(batchID: Int64, index: Int, in database: DatabaseConnection) throws(RegistryError) -> BatchItemRecord? {
        try mapped(database.fetchOne(
            BatchItemRecord.self, "SELECT \(columns) FROM batch_items WHERE batch_id = ? AND item_index = ?",
            [batchID, index]))
    }

    /// One page of items in index order. Each filter has its own constant SQL text.
    static func page(matching query: BatchItemQuery, in database: DatabaseConnection) throws(RegistryError) -> [BatchItemRecord] {
        var conditions = ["batch_id = ?"]
        var arguments: [any DatabaseValueConvertible] = [query.batchID]
        if let status = query.status {
            conditions.append("status = ?")
            arguments.append(status.rawValue)
        }
        if let after = query.after {
            conditions.append("item_index > ?")
            arguments.append(after)
        }
        arguments.append(max(query.limit, 0))
        return try mapped(database.fetchAll(BatchItemRecord.self, """
            SELECT \(columns) FROM batch_items WHERE \(conditions.joined(separator: " AND "))
            ORDER BY item_index LIMIT ?
            """, arguments))
    }

    /// How many items of batch `batchID` are in each state.
    static func counts(batchID: Int64, in database: DatabaseConnection) throws(RegistryError) -> BatchCounts {
        var counts = BatchCounts()
        let rows = try mapped(database.fetchAll(
            "SELECT status, count(*) FROM batch_items WHERE batch_id = ? GROUP BY status", [batchID]) {
                (status: $0.text(at: 0), count: Int($0.int64(at: 1)))
            })
        for row in rows {
            switch BatchItemStatus(rawValue: row.status) {
            case .pending: counts.pending = row.count
            case .running: counts.running = row.count
            case .done: counts.done = row.count
            case .failed: counts.failed = row.count
            case .cancelled: counts.cancelled = row.count
            case nil: break
            }
        }
        return counts
    }

    /// Whether any item of batch `batchID` is pending or running. An index lookup
    /// (`batch_items_by_status`), where ``counts(batchID:in:)`` reads every item: this is
    /// asked at the end of every item, so counting made a batch quadratic in its size.
    static func hasUnfinished(batchID: Int64, in database: DatabaseConnection) throws(RegistryError) -> Bool {
        try mapped(database.fetchOne("""
            SELECT EXISTS (SELECT 1 FROM batch_items WHERE batch_id = ? AND status IN ('pending', 'running'))
            """, [batchID]) { $0.int64(at: 0) != 0 }) ?? false
    }

    /// The pending item of lowest index that may be tried at `date`, if any; else the
    /// earliest instant a pending item may be tried, if any item is pending.
    static func nextPending(batchID: Int64, at date: Date, in database: DatabaseConnection)
        throws(RegistryError) -> (index: Int?, earliest: Date?)
    {
        let now = DatabaseTime.microseconds(date)
        // INDEXED BY: left to itself, SQLite walks the primary key from the batch's first
        // item, past every finished one, so a 10,000-item batch was quadratic (skillbench).
        if let index = try mapped(database.fetchOne("""
            SELECT item_index FROM batch_items INDEXED BY batch_items_by_status
            WHERE batch_id = ? AND status = 'pending' AND (not_before IS NULL OR not_before <= ?)
            ORDER BY item_index LIMIT 1
            """, [batchID, now], read: { Int($0.int64(at: 0)) })) {
            return (index, nil)
        }
        let earliest = try mapped(database.fetchOne(
            "SELECT min(not_before) FROM batch_items INDEXED BY batch_items_by_status WHERE batch_id = ? AND status = 'pending'", [batchID]) {
                $0.optionalInt64(at: 0)
            }) ?? nil
        return (nil, earliest.map(DatabaseTime.date(microseconds:)))
    }

    /// Moves a pending item to running and counts the attempt; returns whether it changed.
    static func markRunning(batchID: Int64, index: Int, in database: DatabaseConnection) throws(RegistryError) -> Bool {
        try mapped(database.execute("""
            UPDATE batch_items SET status = 'running', attempts = attempts + 1, not_before = NULL
            WHERE batch_id = ? AND item_index = ? AND status = 'pending'
            """, [batchID, index]))
        return database.changedRowCount > 0
    }

    /// Writes how a running item's attempt ended; returns whether a row changed (an item
    /// that is not running is left as it is).
    static func finishAttempt(
        batchID: Int64, index: Int, runID: Int64?, outcome: BatchAttemptOutcome, in database: DatabaseConnection
    ) throws(RegistryError) -> Bool {
        let status: BatchItemStatus
        var output: String?
        var errorKind: ErrorKind?
        var errorMessage: String?
        var notBefore: Int64?
        switch outcome {
        case let .succeeded(text):
            status = .done
            output = text
        case let .failed(kind, message):
            (status, errorKind, errorMessage) = (.failed, kind, message)
        case let .cancelled(kind, message):
            (status, errorKind, errorMessage) = (.cancelled, kind, message)
        case let .retry(kind, message, date):
            (status, errorKind, errorMessage) = (.pending, kind, message)
            notBefore = DatabaseTime.microseconds(date)
        }
        try mapped(database.execute("""
            UPDATE batch_items SET status = ?, run_id = coalesce(?, run_id), output = ?, error_kind = ?,
                                   error_message = ?, not_before = ?
            WHERE batch_id = ? AND item_index = ? AND status = 'running'
            """, [status.rawValue, runID, output, errorKind?.rawValue, errorMessage, notBefore, batchID, index]))
        return database.changedRowCount > 0
    }

    /// Moves a running item back to pending without counting the attempt (its run never
    /// started), not before `notBefore`.
    static func release(batchID: Int64, index: Int, notBefore: Date, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute("""
            UPDATE batch_items SET status = 'pending', attempts = max(attempts - 1, 0), not_before = ?
            WHERE batch_id = ? AND item_index = ? AND status = 'running'
            """, [DatabaseTime.microseconds(notBefore), batchID, index]))
    }

    /// Moves every item of batch `batchID` in `from` to `to` (with no error), returning how many changed.
    static func move(batchID: Int64, from: [BatchItemStatus], to: BatchItemStatus, in database: DatabaseConnection)
        throws(RegistryError) -> Int
    {
        let list = from.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        try mapped(database.execute(
            "UPDATE batch_items SET status = ?, not_before = NULL WHERE batch_id = ? AND status IN (\(list))",
            [to.rawValue, batchID]))
        return database.changedRowCount
    }
}

extension BatchItemRecord: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(
            batchID: row.int64("batch_id"), index: Int(row.int64("item_index")), input: row.text("input"),
            status: row.decode(BatchItemStatus.self, "status"), attempts: Int(row.int64("attempts")),
            runID: row.optionalInt64("run_id"), output: row.optionalText("output"),
            errorKind: row.optionalDecode(ErrorKind.self, "error_kind"), errorMessage: row.optionalText("error_message"),
            notBefore: row.optionalInt64("not_before").map(DatabaseTime.date(microseconds:)))
    }
}

import SkillhostModel

/// The SQL of the `run_logs` table: the log lines of each run, in the order they were
/// logged. Every function runs on a connection the caller holds, inside its transaction.
enum RunLogTable {
    /// Stores `lines` as the log of run `runID`.
    static func insert(_ lines: [RunLogLine], runID: Int64, in database: DatabaseConnection) throws(RegistryError) {
        for (sequence, line) in lines.enumerated() {
            try mapped(database.execute(
                "INSERT INTO run_logs (run_id, seq, level, message) VALUES (?, ?, ?, ?)",
                [runID, Int64(sequence), line.level.rawValue, line.message]))
        }
    }

    /// The log of run `runID`, oldest line first.
    static func lines(runID: Int64, in database: DatabaseConnection) throws(RegistryError) -> [RunLogLine] {
        try mapped(database.fetchAll(
            RunLogLine.self, "SELECT level, message FROM run_logs WHERE run_id = ? ORDER BY seq", [runID]))
    }
}

extension RunLogLine: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(level: RunLogLine.Level(rawValue: row.text("level")) ?? .info, message: row.text("message"))
    }
}

import CSQLite

/// Direct SQLite access to a daemon's registry file, for what the daemon has no method for:
/// the space its runs take, and filling it with a million runs in bulk before it starts.
final class RegistryFile {
    /// The file.
    let path: String
    private let handle: OpaquePointer

    /// Opens the registry at `path` (a stopped daemon's, to write; a running one's, to read).
    init(path: String, readOnly: Bool) throws(BenchError) {
        var opened: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        guard sqlite3_open_v2(path, &opened, flags, nil) == SQLITE_OK, let opened else {
            let reason = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw BenchError("cannot open the registry \(path): \(reason)")
        }
        self.path = path
        handle = opened
        sqlite3_busy_timeout(opened, 10_000)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// The bytes of the pages in use (page count minus free pages, times the page size): what
    /// the committed content takes, whether its pages are in the main file or still in the WAL.
    func usedBytes() throws(BenchError) -> Int {
        let pages = try integer("PRAGMA page_count") - integer("PRAGMA freelist_count")
        return pages * (try integer("PRAGMA page_size"))
    }

    /// The number of runs stored.
    func runCount() throws(BenchError) -> Int {
        try integer("SELECT count(*) FROM runs")
    }

    /// Adds `count` finished runs modelled on the newest run already there (its skill, hash,
    /// input and output), one millisecond apart and ending now; every 100th failed, every 10th
    /// of another skill `otherSkill`, so filters have something to skip. One transaction.
    func addRuns(_ count: Int, otherSkill: String) throws(BenchError) {
        let now = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
        try execute("""
            PRAGMA synchronous = OFF;
            BEGIN IMMEDIATE;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count)),
                 template AS (SELECT * FROM runs WHERE status = 'succeeded' ORDER BY id DESC LIMIT 1)
            INSERT INTO runs (skill_name, skill_version, skill_sha256, input, output, status, error_kind,
                              error_message, model, trigger, caller_uid, created_at, started_at, finished_at,
                              duration_us, prompt_tokens, completion_tokens)
            SELECT CASE WHEN i % 10 = 0 THEN '\(otherSkill)' ELSE t.skill_name END,
                   t.skill_version, t.skill_sha256, t.input,
                   CASE WHEN i % 100 = 0 THEN NULL ELSE t.output END,
                   CASE WHEN i % 100 = 0 THEN 'failed' ELSE 'succeeded' END,
                   CASE WHEN i % 100 = 0 THEN 'skill_failed' END,
                   CASE WHEN i % 100 = 0 THEN 'the skill returned SKILL_ERR_FAILED' END,
                   t.model, t.trigger, t.caller_uid,
                   \(now) - (\(count) - i) * 1000 - 50, \(now) - (\(count) - i) * 1000 - 40,
                   \(now) - (\(count) - i) * 1000, 40, 0, 0
            FROM n, template AS t;
            COMMIT;
            PRAGMA wal_checkpoint(TRUNCATE);
            """)
    }

    private func execute(_ sql: String) throws(BenchError) {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let reason = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw BenchError("SQL on \(path) failed: \(reason)")
        }
    }

    private func integer(_ sql: String) throws(BenchError) -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchError("cannot prepare \(sql) on \(path): \(String(cString: sqlite3_errmsg(handle)))")
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else {
            throw BenchError("\(sql) on \(path) returned no row: \(String(cString: sqlite3_errmsg(handle)))")
        }
        return Int(sqlite3_column_int64(statement, 0))
    }
}

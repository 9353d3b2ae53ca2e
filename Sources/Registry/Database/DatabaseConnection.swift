import CSQLite

/// One open SQLite connection, configured for a long-running daemon: WAL journal,
/// `synchronous=NORMAL`, foreign keys enforced, and a busy timeout for other processes;
/// checkpoints of its log may be left to a ``WALCheckpointer``.
///
/// A connection is not thread-safe (it is opened with `SQLITE_OPEN_NOMUTEX`); share it through a
/// ``DatabaseQueue``, which serializes every use.
final class DatabaseConnection {
    /// How long a statement waits for another process's lock before failing with `SQLITE_BUSY`.
    static let busyTimeoutMilliseconds: Int32 = 5_000

    /// The file the connection opened.
    let path: String
    private let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    /// The checkpointer the log's commits are reported to; held so that it outlives the hook
    /// that points at it.
    private var checkpointer: WALCheckpointer?

    /// Opens (creating it if needed) the database file at `path` and applies the connection
    /// settings.
    init(path: String) throws(DatabaseError) {
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            | SQLITE_OPEN_EXRESCODE
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let opened else {
            let error = DatabaseError(
                extendedResultCode: code,
                message: "cannot open database file \(path): "
                    + (opened.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
                        ?? String(cString: sqlite3_errstr(code))))
            sqlite3_close_v2(opened)
            throw error
        }
        self.path = path
        self.handle = opened
        sqlite3_busy_timeout(opened, Self.busyTimeoutMilliseconds)
        try executeScript("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            """)
    }

    deinit {
        // Finalize cached statements before closing; close_v2 would otherwise defer the close
        // until they are gone, which is also safe but leaves the file open longer.
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Leaves the checkpoints of the write-ahead log to `checkpointer`, in place of SQLite's
    /// automatic checkpoint inside the commit that passes 1000 pages (see ``WALCheckpointer``).
    func delegateCheckpoints(to checkpointer: WALCheckpointer) {
        self.checkpointer = checkpointer
        sqlite3_wal_hook(handle, reportCommit, Unmanaged.passUnretained(checkpointer).toOpaque())
    }

    /// Runs a `PASSIVE` checkpoint: copies as much of the log back into the database file as
    /// no reader prevents, without waiting for anyone. A failure only leaves the log longer,
    /// so it is not reported.
    func checkpointPassively() {
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// The virtual machine steps run so far by every cached statement (see
    /// ``Statement/virtualMachineSteps``): tests compare it before and after a query.
    var virtualMachineSteps: Int {
        statementCache.values.reduce(0) { $0 + $1.virtualMachineSteps }
    }

    /// The number of rows changed by the most recent `INSERT`, `UPDATE` or `DELETE`.
    var changedRowCount: Int {
        Int(sqlite3_changes64(handle))
    }

    /// The rowid of the most recent successful `INSERT` on this connection.
    var lastInsertedRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    /// Whether a transaction is open.
    var isInTransaction: Bool {
        sqlite3_get_autocommit(handle) == 0
    }

    /// Returns the prepared statement for `sql`, preparing it once and reusing it afterwards.
    func cachedStatement(_ sql: String) throws(DatabaseError) -> Statement {
        if let statement = statementCache[sql] {
            return statement
        }
        let statement = try Statement(sql: sql, connection: handle)
        statementCache[sql] = statement
        return statement
    }

    /// Runs one statement with `arguments` to completion, ignoring any rows it returns.
    func execute(_ sql: String, _ arguments: [any DatabaseValueConvertible] = []) throws(DatabaseError) {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        while try statement.step() {}
    }

    /// Runs several `;`-separated statements that take no arguments (schema changes, pragmas).
    func executeScript(_ sql: String) throws(DatabaseError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw DatabaseError(extendedResultCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs a query and reads every row with `read`.
    func fetchAll<Value>(
        _ sql: String, _ arguments: [any DatabaseValueConvertible] = [], read: (Statement) -> Value
    ) throws(DatabaseError) -> [Value] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var values: [Value] = []
        while try statement.step() {
            values.append(read(statement))
        }
        return values
    }

    /// Runs a query and decodes every row as a `Record`.
    func fetchAll<Record: FetchableRecord>(
        _ type: Record.Type, _ sql: String, _ arguments: [any DatabaseValueConvertible] = []
    ) throws(DatabaseError) -> [Record] {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var records: [Record] = []
        while try statement.step() {
            records.append(try Record(row: statement))
        }
        return records
    }

    /// Runs a query and reads its first row with `read`, or returns `nil` when it has none.
    func fetchOne<Value>(
        _ sql: String, _ arguments: [any DatabaseValueConvertible] = [], read: (Statement) -> Value
    ) throws(DatabaseError) -> Value? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? read(statement) : nil
    }

    /// Runs a query and decodes its first row as a `Record`, or returns `nil` when it has none.
    func fetchOne<Record: FetchableRecord>(
        _ type: Record.Type, _ sql: String, _ arguments: [any DatabaseValueConvertible] = []
    ) throws(DatabaseError) -> Record? {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? Record(row: statement) : nil
    }

    /// Runs `body` inside a transaction on `connection`: commits when it returns, rolls back
    /// when it throws.
    ///
    /// Transactions do not nest: calling this inside `body` is a programming error.
    static func inTransaction<Value, Failure: DatabaseErrorRepresentable>(
        _ kind: TransactionKind, on connection: inout sending DatabaseConnection,
        _ body: (inout sending DatabaseConnection) throws(Failure) -> sending Value
    ) throws(Failure) -> sending Value {
        precondition(!connection.isInTransaction,
                     "nested transactions are not supported (database \(connection.path))")
        do {
            try connection.execute("BEGIN \(kind.rawValue) TRANSACTION")
        } catch {
            throw Failure(error)
        }
        let value: Value
        do {
            value = try body(&connection)
        } catch {
            connection.rollBack()
            throw error
        }
        do {
            try connection.execute("COMMIT TRANSACTION")
        } catch {
            connection.rollBack()
            throw Failure(error)
        }
        return value
    }

    /// Rolls back the open transaction, if any. SQLite may already have rolled back on its own
    /// (after `SQLITE_FULL` or `SQLITE_IOERR`), and a failed rollback leaves nothing more to undo,
    /// so its result is not reported.
    private func rollBack() {
        if isInTransaction {
            sqlite3_exec(handle, "ROLLBACK TRANSACTION", nil, nil, nil)
        }
    }
}

/// The WAL hook of a connection whose checkpoints a ``WALCheckpointer`` makes: SQLite calls it
/// after each commit, on the committing thread, with the checkpointer as `context`.
private func reportCommit(
    context: UnsafeMutableRawPointer?, handle: OpaquePointer?, databaseName: UnsafePointer<CChar>?, logPages: Int32
) -> Int32 {
    guard let context else { return SQLITE_OK }
    let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
    if checkpointer.committed(logPages: logPages) {
        // The background has fallen behind: checkpoint here, as SQLite itself would.
        sqlite3_wal_checkpoint_v2(handle, databaseName, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }
    return SQLITE_OK
}

import CSQLite

/// A failure reported by SQLite: the result codes, SQLite's own message, and the SQL that failed.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code, such as `SQLITE_CONSTRAINT` (19) or `SQLITE_BUSY` (5).
    public let resultCode: Int32
    /// The extended result code, such as `SQLITE_CONSTRAINT_CHECK` (275); equal to
    /// `resultCode` when SQLite gave no more detail.
    public let extendedResultCode: Int32
    /// SQLite's explanation of the failure (`sqlite3_errmsg`).
    public let message: String
    /// The SQL statement that failed, when the failure belongs to one.
    public let sql: String?

    /// Creates an error from its parts; the primary code is derived from the extended one.
    public init(extendedResultCode: Int32, message: String, sql: String? = nil) {
        self.resultCode = extendedResultCode & 0xFF
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.sql = sql
    }

    /// Captures the most recent failure of the connection `handle`.
    init(connection handle: OpaquePointer?, sql: String?) {
        let code = handle.map { sqlite3_extended_errcode($0) } ?? SQLITE_NOMEM
        let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        self.init(extendedResultCode: code, message: message, sql: sql)
    }

    /// `"SQLite error 19/275 (constraint failed): CHECK constraint failed: ... (while running: INSERT ...)"`.
    public var description: String {
        let meaning = String(cString: sqlite3_errstr(resultCode))
        var text = "SQLite error \(resultCode)/\(extendedResultCode) (\(meaning)): \(message)"
        if let sql {
            text += " (while running: \(sql))"
        }
        return text
    }
}

/// An error type that can carry a ``DatabaseError``, so that a transaction body may throw its own
/// errors while the transaction's `BEGIN` and `COMMIT` failures still reach the caller typed.
protocol DatabaseErrorRepresentable: Error {
    /// Wraps a failure of SQLite itself.
    init(_ databaseError: DatabaseError)
}

extension DatabaseError: DatabaseErrorRepresentable {
    init(_ databaseError: DatabaseError) {
        self = databaseError
    }
}

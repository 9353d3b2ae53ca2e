import CSQLite

/// Tells SQLite to copy bound text and blobs before `sqlite3_bind_*` returns. The C macro is a
/// cast that Swift does not import.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared SQL statement: bind its parameters, step through its rows, read typed columns.
///
/// A statement belongs to one ``DatabaseConnection`` and is used only while that connection's
/// lock is held; it is therefore neither `Sendable` nor meant to outlive the call that uses it
/// (cached statements are owned by their connection).
final class Statement {
    /// The SQL text the statement was prepared from.
    let sql: String
    private let handle: OpaquePointer
    /// The index of each result column by name, read from SQLite when first asked for: a
    /// record reads its columns by name, whatever their order in the query. A name that two
    /// columns share maps to ``ambiguousColumn``: reading it is an error, not a guess.
    private lazy var columnIndexes: [String: Int] = Dictionary(
        (0..<Int(sqlite3_column_count(handle))).map { index in
            (sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "", index)
        },
        uniquingKeysWith: { _, _ in Self.ambiguousColumn })
    private static let ambiguousColumn = -1

    /// The virtual machine steps this statement has run since it was prepared: how much
    /// work its executions took, whatever their timing (for tests of query plans).
    var virtualMachineSteps: Int {
        Int(sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_VM_STEP, 0))
    }

    /// Prepares exactly one SQL statement on `connection`.
    init(sql: String, connection: OpaquePointer) throws(DatabaseError) {
        var prepared: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sql.withCString { text in
            sqlite3_prepare_v3(connection, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, &tail)
        }
        guard code == SQLITE_OK, let prepared else {
            throw DatabaseError(connection: connection, sql: sql)
        }
        self.sql = sql
        self.handle = prepared
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `arguments` to its parameters, in order.
    ///
    /// - Throws: A `SQLITE_RANGE` error when the number of arguments differs from the number of
    ///   parameters in the SQL, so that a forgotten argument never silently binds `NULL`.
    func bind(_ arguments: [any DatabaseValueConvertible]) throws(DatabaseError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard arguments.count == expected else {
            throw DatabaseError(
                extendedResultCode: SQLITE_RANGE,
                message: "the statement has \(expected) parameters but \(arguments.count) arguments were given",
                sql: sql)
        }
        for (offset, argument) in arguments.enumerated() {
            try bind(argument.databaseValue, at: Int32(offset + 1))
        }
    }

    private func bind(_ value: DatabaseValue, at index: Int32) throws(DatabaseError) {
        let code: Int32
        switch value {
        case .null:
            code = sqlite3_bind_null(handle, index)
        case .integer(let integer):
            code = sqlite3_bind_int64(handle, index, integer)
        case .real(let real):
            code = sqlite3_bind_double(handle, index, real)
        case .text(let text):
            // withCString never hands out a null pointer (a null pointer would bind NULL, not "").
            code = text.withCString { pointer in
                sqlite3_bind_text64(handle, index, pointer, sqlite3_uint64(text.utf8.count),
                                    SQLITE_TRANSIENT, UInt8(SQLITE_UTF8))
            }
        case .blob(let bytes):
            if bytes.isEmpty {
                code = sqlite3_bind_zeroblob(handle, index, 0)
            } else {
                code = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob64(handle, index, buffer.baseAddress, sqlite3_uint64(buffer.count),
                                        SQLITE_TRANSIENT)
                }
            }
        }
        guard code == SQLITE_OK else {
            throw DatabaseError(connection: sqlite3_db_handle(handle), sql: sql)
        }
    }

    /// Advances to the next row.
    ///
    /// - Returns: `true` when a row is available to read, `false` when the statement is done.
    func step() throws(DatabaseError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            let error = DatabaseError(connection: sqlite3_db_handle(handle), sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Rewinds the statement so that it can run again; bindings are kept.
    func reset() {
        sqlite3_reset(handle)
    }

    /// Whether the column at `index` of the current row is `NULL`.
    func isNull(at index: Int) -> Bool {
        sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL
    }

    /// The column at `index` of the current row as an integer (`NULL` reads as 0).
    func int64(at index: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(index))
    }

    /// The column at `index` of the current row as an integer, or `nil` when it is `NULL`.
    func optionalInt64(at index: Int) -> Int64? {
        isNull(at: index) ? nil : int64(at: index)
    }

    /// The column at `index` of the current row as a floating-point number (`NULL` reads as 0).
    func double(at index: Int) -> Double {
        sqlite3_column_double(handle, Int32(index))
    }

    /// The column at `index` of the current row as text (`NULL` reads as the empty string).
    func text(at index: Int) -> String {
        guard let characters = sqlite3_column_text(handle, Int32(index)) else {
            return ""
        }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }

    /// The column at `index` of the current row as text, or `nil` when it is `NULL`.
    func optionalText(at index: Int) -> String? {
        isNull(at: index) ? nil : text(at: index)
    }

    /// The column at `index` of the current row as bytes (`NULL` reads as no bytes).
    func blob(at index: Int) -> [UInt8] {
        guard let bytes = sqlite3_column_blob(handle, Int32(index)) else {
            return []
        }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// The column at `index` of the current row decoded as a string-backed enumeration.
    ///
    /// - Throws: A `SQLITE_MISMATCH` error naming the column and the stored text when the text
    ///   is not one of the enumeration's raw values.
    func decode<Value: RawRepresentable>(_ type: Value.Type, at index: Int) throws(DatabaseError) -> Value
    where Value.RawValue == String {
        let raw = text(at: index)
        guard let value = Value(rawValue: raw) else {
            let column = sqlite3_column_name(handle, Int32(index)).map { String(cString: $0) } ?? "#\(index)"
            throw DatabaseError(
                extendedResultCode: SQLITE_MISMATCH,
                message: "column \(column) holds '\(raw)', which is not a valid \(Value.self)",
                sql: sql)
        }
        return value
    }

    // MARK: Columns by name

    /// The index of the result column `name`.
    ///
    /// - Throws: A `SQLITE_RANGE` error naming the column when the query has none of that
    ///   name, or several: the record and its query disagree, which a test of the table
    ///   finds at once.
    func columnIndex(_ name: String) throws(DatabaseError) -> Int {
        guard let index = columnIndexes[name] else {
            throw DatabaseError(
                extendedResultCode: SQLITE_RANGE, message: "the query has no column named \(name)", sql: sql)
        }
        guard index != Self.ambiguousColumn else {
            throw DatabaseError(
                extendedResultCode: SQLITE_RANGE,
                message: "the query has several columns named \(name): give each its own name with AS", sql: sql)
        }
        return index
    }

    /// The column `name` of the current row as an integer (`NULL` reads as 0).
    func int64(_ name: String) throws(DatabaseError) -> Int64 { int64(at: try columnIndex(name)) }

    /// The column `name` of the current row as an integer, or `nil` when it is `NULL`.
    func optionalInt64(_ name: String) throws(DatabaseError) -> Int64? { optionalInt64(at: try columnIndex(name)) }

    /// The column `name` of the current row as text (`NULL` reads as the empty string).
    func text(_ name: String) throws(DatabaseError) -> String { text(at: try columnIndex(name)) }

    /// The column `name` of the current row as text, or `nil` when it is `NULL`.
    func optionalText(_ name: String) throws(DatabaseError) -> String? { optionalText(at: try columnIndex(name)) }

    /// The column `name` of the current row decoded as a string-backed enumeration.
    func decode<Value: RawRepresentable>(_ type: Value.Type, _ name: String) throws(DatabaseError) -> Value
    where Value.RawValue == String {
        try decode(type, at: try columnIndex(name))
    }

    /// The column `name` of the current row decoded as a string-backed enumeration, or `nil`
    /// when it is `NULL`.
    func optionalDecode<Value: RawRepresentable>(_ type: Value.Type, _ name: String) throws(DatabaseError) -> Value?
    where Value.RawValue == String {
        let index = try columnIndex(name)
        return isNull(at: index) ? nil : try decode(type, at: index)
    }
}

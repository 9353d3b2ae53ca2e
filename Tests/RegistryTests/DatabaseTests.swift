import Foundation
import Testing
import CSQLite
@testable import Registry

@Suite("Database layer")
struct DatabaseTests {
    @Test("a connection runs in WAL mode with the daemon's settings")
    func connectionSettings() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            let settings = try queue.withConnection { (database) throws(DatabaseError) -> [String] in
                try ["journal_mode", "synchronous", "foreign_keys", "busy_timeout"].map { (pragma) throws(DatabaseError) in
                    try database.fetchOne("PRAGMA \(pragma)") { $0.text(at: 0) } ?? "missing"
                }
            }
            #expect(settings == ["wal", "1", "1", "5000"])
            try queue.write { (database) throws(DatabaseError) in
                try database.execute("CREATE TABLE t (x)")
            }
            #expect(FileManager.default.fileExists(atPath: directory + "/test.sqlite3-wal"))
        }
    }

    @Test("values of every storage class bind and read back exactly")
    func bindingRoundTrip() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            let text = "héllo\u{0}wörld 🎉"
            let blob: [UInt8] = [0, 1, 2, 255]
            let row = try queue.write { (database) throws(DatabaseError) -> [DatabaseValue] in
                try database.execute("CREATE TABLE t (i, r, s, e, b, z, n)")
                try database.execute(
                    "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [Int64.min, 0.1, text, "", blob, [UInt8](), DatabaseValue.null])
                return try database.fetchOne("SELECT i, r, s, e, b, z, n, typeof(e), typeof(z) FROM t") { row in
                    [.integer(row.int64(at: 0)), .real(row.double(at: 1)), .text(row.text(at: 2)),
                     .text(row.text(at: 3)), .blob(row.blob(at: 4)), .blob(row.blob(at: 5)),
                     row.isNull(at: 6) ? .null : .text("not null"), .text(row.text(at: 7)), .text(row.text(at: 8))]
                } ?? []
            }
            #expect(row == [.integer(.min), .real(0.1), .text(text), .text(""), .blob(blob), .blob([]), .null,
                            .text("text"), .text("blob")])
        }
    }

    @Test("a wrong number of arguments is refused, not bound as NULL")
    func argumentCount() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            #expect {
                try queue.withConnection { (database) throws(DatabaseError) in
                    try database.execute("SELECT ?, ?", [1])
                }
            } throws: { error in
                let error = try #require(error as? DatabaseError)
                return error.message.contains("2 parameters but 1 arguments") && error.sql == "SELECT ?, ?"
            }
        }
    }

    @Test("a transaction that throws leaves nothing behind")
    func rollback() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            try queue.write { (database) throws(DatabaseError) in
                try database.execute("CREATE TABLE t (x INTEGER NOT NULL CHECK (x > 0))")
            }
            let failure = #expect(throws: DatabaseError.self) {
                try queue.write { (database) throws(DatabaseError) in
                    try database.execute("INSERT INTO t VALUES (1)")
                    try database.execute("INSERT INTO t VALUES (2)")
                    try database.execute("INSERT INTO t VALUES (-3)")
                }
            }
            #expect(failure?.extendedResultCode == 275)  // SQLITE_CONSTRAINT_CHECK
            #expect(failure?.sql == "INSERT INTO t VALUES (-3)")
            #expect(failure?.description.contains("CHECK constraint failed") == true)
            let count = try queue.read { (database) throws(DatabaseError) -> Int64 in
                try database.fetchOne("SELECT count(*) FROM t") { $0.int64(at: 0) } ?? -1
            }
            #expect(count == 0)
            // The connection is usable again: no transaction was left open.
            try queue.write { (database) throws(DatabaseError) in
                #expect(database.isInTransaction)
                try database.execute("INSERT INTO t VALUES (4)")
            }
            let isIdle = queue.withConnection { database in !database.isInTransaction }
            #expect(isIdle)
        }
    }

    @Test("migrations run once, in order, and record the version")
    func migrations() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/test.sqlite3"
            let first = DatabaseMigrator(migrations: [
                .init(name: "one", sql: "CREATE TABLE a (x); INSERT INTO a VALUES (1);"),
            ])
            let second = DatabaseMigrator(migrations: first.migrations + [
                .init(name: "two", sql: "CREATE TABLE b (y); INSERT INTO a VALUES (2);"),
            ])
            let queue = try DatabaseQueue(path: path)
            try first.migrate(queue)
            try first.migrate(queue)
            try second.migrate(queue)
            try second.migrate(queue)
            let (version, rows) = try queue.read { (database) throws(DatabaseError) in
                (try database.fetchOne("PRAGMA user_version") { $0.int64(at: 0) },
                 try database.fetchAll("SELECT x FROM a ORDER BY x") { $0.int64(at: 0) })
            }
            #expect(version == 2)
            #expect(rows == [1, 2])
            #expect {
                try first.migrate(queue)
            } throws: { error in
                guard case .schemaTooNew(found: 2, known: 1)? = error as? MigrationError else { return false }
                return true
            }
        }
    }

    @Test("a failing migration step is rolled back and leaves the version as it was")
    func failingMigration() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            let migrator = DatabaseMigrator(migrations: [
                .init(name: "good", sql: "CREATE TABLE a (x);"),
                .init(name: "bad", sql: "CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);"),
            ])
            #expect {
                try migrator.migrate(queue)
            } throws: { error in
                guard case .stepFailed(version: 2, name: "bad", let cause)? = error as? MigrationError else { return false }
                return cause.message.contains("no such table: nowhere")
            }
            let (version, tables) = try queue.read { (database) throws(DatabaseError) in
                (try database.fetchOne("PRAGMA user_version") { $0.int64(at: 0) },
                 try database.fetchAll("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
                     $0.text(at: 0)
                 })
            }
            #expect(version == 1)
            #expect(tables == ["a"])
        }
    }
    @Test("a record reads its columns by name, in whatever order the query lists them")
    func columnsByName() async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            let (forward, backward) = try queue.write { (database) throws(DatabaseError) in
                try database.execute("CREATE TABLE t (name TEXT, size INTEGER, note TEXT)")
                try database.execute("INSERT INTO t VALUES (?, ?, ?)", ["a", 7, DatabaseValue.null])
                return (try database.fetchOne(NamedRow.self, "SELECT name, size, note FROM t"),
                        try database.fetchOne(NamedRow.self, "SELECT note, size, name FROM t"))
            }
            #expect(forward == NamedRow(name: "a", size: 7, note: nil))
            #expect(backward == forward)
        }
    }

    @Test("a column the query lacks, or has twice, is an error that names it, not a value read from elsewhere",
          arguments: [
              ("SELECT name, note FROM t", "no column named size"),
              ("SELECT t.name, u.name, t.size, t.note FROM t, t AS u", "several columns named name"),
          ])
    func unreadableColumn(sql: String, message: String) async throws {
        try await withTemporaryDirectory { directory in
            let queue = try DatabaseQueue(path: directory + "/test.sqlite3")
            #expect {
                try queue.write { (database) throws(DatabaseError) in
                    try database.execute("CREATE TABLE t (name TEXT, size INTEGER, note TEXT)")
                    try database.execute("INSERT INTO t VALUES ('a', 7, NULL)")
                    _ = try database.fetchOne(NamedRow.self, sql)
                }
            } throws: { error in
                let error = try #require(error as? DatabaseError)
                return error.extendedResultCode == SQLITE_RANGE && error.message.contains(message) && error.sql == sql
            }
        }
    }
}

/// A row of the tests' table `t`, read by column name.
private struct NamedRow: FetchableRecord, Equatable {
    var name: String
    var size: Int64
    var note: String?

    init(name: String, size: Int64, note: String?) {
        self.name = name
        self.size = size
        self.note = note
    }

    init(row: Statement) throws(DatabaseError) {
        name = try row.text("name")
        size = try row.int64("size")
        note = try row.optionalText("note")
    }
}

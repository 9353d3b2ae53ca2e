/// Brings a database's schema up to date, step by step, recording progress in
/// `PRAGMA user_version`.
///
/// Step `n` (counting from 1) moves the schema from version `n - 1` to version `n`. Each step
/// runs in its own immediate transaction that re-reads the version first, so two processes
/// opening the same new file never apply a step twice. Steps are only ever appended: a released
/// step is never edited.
struct DatabaseMigrator: Sendable {
    /// One schema change.
    struct Migration: Sendable {
        /// A short name for messages, such as `"create skills and runs"`.
        let name: String
        /// The statements of the step, `;`-separated.
        let sql: String
    }

    /// The steps, oldest first.
    let migrations: [Migration]

    /// The schema version this code writes: the number of steps.
    var latestVersion: Int {
        migrations.count
    }

    /// Applies every step the database has not seen yet.
    ///
    /// - Throws: ``MigrationError/schemaTooNew(found:known:)`` when the database was written by
    ///   newer code, before touching anything.
    func migrate(_ queue: DatabaseQueue) throws(MigrationError) {
        let found = try queue.read { (database) throws(MigrationError) -> Int in
            try Self.userVersion(of: database)
        }
        guard found <= latestVersion else {
            throw .schemaTooNew(found: found, known: latestVersion)
        }
        for (offset, migration) in migrations.enumerated() {
            let version = offset + 1
            try queue.write { (database) throws(MigrationError) in
                let current = try Self.userVersion(of: database)
                guard current < version else {
                    return
                }
                do throws(DatabaseError) {
                    try database.executeScript(migration.sql)
                    try database.execute("PRAGMA user_version = \(version)")
                } catch {
                    throw .stepFailed(version: version, name: migration.name, error)
                }
            }
        }
    }

    /// The schema version recorded in the database file.
    static func userVersion(of database: DatabaseConnection) throws(MigrationError) -> Int {
        do {
            return Int(try database.fetchOne("PRAGMA user_version") { $0.int64(at: 0) } ?? 0)
        } catch {
            throw .database(error)
        }
    }
}

/// Why a database could not be brought up to date.
enum MigrationError: Error, Sendable, DatabaseErrorRepresentable {
    /// The file's schema is newer than the newest this code knows: it was written by a newer
    /// version of the program, and changing it could lose data.
    case schemaTooNew(found: Int, known: Int)
    /// A migration step failed and was rolled back.
    case stepFailed(version: Int, name: String, DatabaseError)
    /// SQLite failed outside any step (reading the version, beginning or committing).
    case database(DatabaseError)

    init(_ databaseError: DatabaseError) {
        self = .database(databaseError)
    }
}

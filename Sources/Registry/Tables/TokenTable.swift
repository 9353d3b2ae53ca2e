import Foundation
import SkillhostModel

/// The SQL of the `tokens` table. Every function runs on a connection the caller holds,
/// inside the caller's transaction.
enum TokenTable {
    private static let columns = "id, name, scope, skills, created_at, created_by, last_used_at, revoked_at"

    /// Inserts `token` with the hash of its secret and returns its new id.
    static func insert(_ token: NewToken, sha256: String, in database: DatabaseConnection) throws(RegistryError) -> Int64 {
        try mapped(database.execute("""
            INSERT INTO tokens (name, scope, skills, sha256, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
            """, [
                token.name, token.scope.rawValue, token.skills.map(storedSkills), sha256,
                DatabaseTime.microseconds(token.createdAt), token.createdBy,
            ]))
        return database.lastInsertedRowID
    }

    /// The token with `id`.
    static func find(id: Int64, in database: DatabaseConnection) throws(RegistryError) -> TokenRecord? {
        try mapped(database.fetchOne(TokenRecord.self, "SELECT \(columns) FROM tokens WHERE id = ?", [id]))
    }

    /// The token not revoked named `name`.
    static func find(unrevokedNamed name: String, in database: DatabaseConnection) throws(RegistryError) -> TokenRecord? {
        try mapped(database.fetchOne(
            TokenRecord.self, "SELECT \(columns) FROM tokens WHERE name = ? AND revoked_at IS NULL", [name]))
    }

    /// The token whose secret hashes to `sha256`, with the hash as stored.
    static func find(sha256: String, in database: DatabaseConnection) throws(RegistryError) -> (TokenRecord, String)? {
        try mapped(database.fetchOne(
            TokenWithDigest.self, "SELECT \(columns), sha256 FROM tokens WHERE sha256 = ?", [sha256]))
            .map { ($0.record, $0.sha256) }
    }

    /// Every token, oldest first; the revoked ones only when asked.
    static func all(includingRevoked: Bool, in database: DatabaseConnection) throws(RegistryError) -> [TokenRecord] {
        let filter = includingRevoked ? "" : "WHERE revoked_at IS NULL "
        return try mapped(database.fetchAll(TokenRecord.self, "SELECT \(columns) FROM tokens \(filter)ORDER BY id"))
    }

    /// Marks the token with `id` revoked at `date`, unless it already is.
    static func revoke(id: Int64, at date: Date, in database: DatabaseConnection) throws(RegistryError) {
        try mapped(database.execute(
            "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [DatabaseTime.microseconds(date), id]))
    }

    /// Sets the last use of the token with `id` to `date` if it was last used before `staleBefore`.
    static func touch(id: Int64, at date: Date, ifUsedBefore staleBefore: Date, in database: DatabaseConnection)
        throws(RegistryError)
    {
        try mapped(database.execute(
            "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
            [DatabaseTime.microseconds(date), id, DatabaseTime.microseconds(staleBefore)]))
    }

    /// The `skills` column of `skills`: names joined by newline.
    private static func storedSkills(_ skills: [String]) -> String {
        skills.joined(separator: "\n")
    }

    /// The names of a `skills` column.
    fileprivate static func skills(stored: String?) -> [String]? {
        stored.map { $0.split(separator: "\n").map(String.init) }
    }
}

extension TokenRecord: FetchableRecord {
    init(row: Statement) throws(DatabaseError) {
        try self.init(
            id: row.int64("id"), name: row.text("name"), scope: row.decode(TokenScope.self, "scope"),
            skills: TokenTable.skills(stored: row.optionalText("skills")),
            createdAt: DatabaseTime.date(microseconds: row.int64("created_at")),
            createdBy: row.optionalInt64("created_by").map { UInt32(truncatingIfNeeded: $0) },
            lastUsedAt: row.optionalInt64("last_used_at").map(DatabaseTime.date(microseconds:)),
            revokedAt: row.optionalInt64("revoked_at").map(DatabaseTime.date(microseconds:)))
    }
}

/// A token's row with the hash of its secret, which only verification reads.
private struct TokenWithDigest: FetchableRecord {
    let record: TokenRecord
    let sha256: String

    init(row: Statement) throws(DatabaseError) {
        record = try TokenRecord(row: row)
        sha256 = try row.text("sha256")
    }
}

import Foundation
import SkillhostModel
import Testing
@testable import Registry

@Suite("Registry: bearer tokens")
struct RegistryTokenTests {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a registry of schema 6 with a skill is migrated to the latest: the skill stays and tokens can be made")
    func migratesFromSchemaSix() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory + "/data"
            let skill: SkillRecord
            do {
                let registry = try Registry(dataDirectory: data)
                skill = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1, 2])
                _ = try registry.install(skill, force: false)
            }
            let path = data + "/registry.sqlite3"
            try DatabaseQueue(path: path).withConnection { (database) throws(DatabaseError) in
                try database.executeScript("""
                    DROP INDEX tokens_by_unrevoked_name; DROP TABLE tokens;
                    ALTER TABLE runs DROP COLUMN caller_token; ALTER TABLE batches DROP COLUMN caller_token;
                    ALTER TABLE schedules DROP COLUMN caller_token; ALTER TABLE runs DROP COLUMN caller_token_id;
                    ALTER TABLE batches DROP COLUMN caller_token_id; ALTER TABLE schedules DROP COLUMN caller_token_id;
                    ALTER TABLE skills DROP COLUMN state; ALTER TABLE runs DROP COLUMN replay_of;
                    PRAGMA user_version = 6
                    """)
            }
            let previous = DatabaseMigrator(migrations: Array(RegistrySchema.migrator.migrations.prefix(6)))
            try previous.migrate(DatabaseQueue(path: path))

            let migrated = try Registry(dataDirectory: data)
            #expect(try migrated.skills() == [skill])
            let made = try migrated.createToken(NewToken(name: "ci", scope: .run, createdAt: start))
            #expect(try migrated.verifyToken(made.secret, scope: .run, at: start) == .accepted(made.record.with(lastUsedAt: start)))
            let version = try DatabaseQueue(path: path).withConnection { (database) throws(DatabaseError) -> Int64? in
                try database.fetchOne("PRAGMA user_version") { $0.int64(at: 0) }
            }
            #expect(version == Int64(Registry.schemaVersion))
        }
    }

    @Test("a token is shk_ and 43 base64url characters; the file holds its SHA-256 and never the token")
    func onlyTheHashIsStored() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let made = try registry.createToken(NewToken(name: "grafana", scope: .metrics, createdBy: 1000, createdAt: start))
            #expect(made.secret.hasPrefix("shk_"))
            #expect(made.secret.utf8.count == 47)
            #expect(made.secret.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            #expect(made.record == TokenRecord(id: 1, name: "grafana", scope: .metrics, skills: nil, createdAt: start,
                                                createdBy: 1000, lastUsedAt: nil, revokedAt: nil))
            let other = try registry.createToken(NewToken(name: "other", scope: .metrics, createdAt: start))
            #expect(other.secret != made.secret)

            let stored = try DatabaseQueue(path: registry.databasePath).withConnection {
                (database) throws(DatabaseError) -> [String] in
                try database.fetchAll("SELECT sha256 FROM tokens ORDER BY id") { $0.text(at: 0) }
            }
            #expect(stored == [SHA256.hex(of: Array(made.secret.utf8)), SHA256.hex(of: Array(other.secret.utf8))])
            for suffix in ["", "-wal"] {
                let bytes = (try? Data(contentsOf: URL(fileURLWithPath: registry.databasePath + suffix))) ?? Data()
                #expect(bytes.range(of: Data(made.secret.utf8)) == nil, "the token is in registry.sqlite3\(suffix)")
                #expect(bytes.range(of: Data(made.secret.dropFirst(4).utf8)) == nil)
            }
        }
    }

    @Test("verification accepts the scope it grants (admin grants all), refuses others, other skills, revoked and unknown tokens")
    func verification() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let runner = try registry.createToken(NewToken(name: "runner", scope: .run, skills: ["hello", "echo"], createdAt: start))
            let admin = try registry.createToken(NewToken(name: "admin", scope: .admin, createdAt: start))
            let metrics = try registry.createToken(NewToken(name: "metrics", scope: .metrics, createdAt: start))

            func accepted(_ check: TokenCheck) -> String? {
                if case let .accepted(token) = check { return token.name }
                return nil
            }
            #expect(accepted(try registry.verifyToken(runner.secret, scope: .run, skill: "hello", at: start)) == "runner")
            #expect(try registry.verifyToken(runner.secret, scope: .run, skill: "other", at: start)
                == .refused(.skillNotAllowed(name: "runner", skill: "other")))
            #expect(try registry.verifyToken(runner.secret, scope: .metrics, at: start)
                == .refused(.wrongScope(name: "runner", scope: .run, needed: .metrics)))
            #expect(try registry.verifyToken(metrics.secret, scope: .run, skill: "hello", at: start)
                == .refused(.wrongScope(name: "metrics", scope: .metrics, needed: .run)))
            #expect(accepted(try registry.verifyToken(metrics.secret, scope: .metrics, at: start)) == "metrics")
            for scope in TokenScope.allCases {
                #expect(accepted(try registry.verifyToken(admin.secret, scope: scope, skill: "anything", at: start)) == "admin")
            }

            var forged = Array(runner.secret.utf8)
            forged[forged.count - 1] = forged.last == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            for unknown in [String(decoding: forged, as: UTF8.self), "", "shk_", "Bearer " + runner.secret, String(runner.secret.dropLast())] {
                #expect(try registry.verifyToken(unknown, scope: .run, at: start) == .refused(.unknown))
            }

            let revoked = try registry.revokeToken(.name("runner"), at: start.addingTimeInterval(5))
            #expect(revoked.revokedAt == start.addingTimeInterval(5))
            #expect(try registry.verifyToken(runner.secret, scope: .run, skill: "hello", at: start)
                == .refused(.revoked(name: "runner")))
            #expect(try registry.tokens().map(\.name) == ["admin", "metrics"])
            #expect(try registry.tokens(includingRevoked: true).map(\.name) == ["runner", "admin", "metrics"])
        }
    }

    @Test("last_used_at is written on the first use and then at most once a minute")
    func lastUseIsCoarse() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let made = try registry.createToken(NewToken(name: "ci", scope: .run, createdAt: start))
            func lastUse() throws -> Date? { try registry.tokens().first?.lastUsedAt }
            #expect(try lastUse() == nil)
            _ = try registry.verifyToken(made.secret, scope: .run, at: start)
            #expect(try lastUse() == start)
            _ = try registry.verifyToken(made.secret, scope: .run, at: start.addingTimeInterval(59))
            #expect(try lastUse() == start)
            _ = try registry.verifyToken(made.secret, scope: .run, at: start.addingTimeInterval(61))
            #expect(try lastUse() == start.addingTimeInterval(61))
            _ = try registry.verifyToken(made.secret, scope: .metrics, at: start.addingTimeInterval(300))
            #expect(try lastUse() == start.addingTimeInterval(61), "a refused use is not a use")
        }
    }

    @Test("names are unique among unrevoked tokens; a revoked one's name can be reused; bad names and skills are refused")
    func namesAndRevocation() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let first = try registry.createToken(NewToken(name: "ci", scope: .run, createdAt: start))
            #expect(throws: RegistryError.self) { try registry.createToken(NewToken(name: "ci", scope: .admin, createdAt: start)) }
            #expect("\(RegistryError.tokenNameTaken("ci"))".contains("skillctl tokens revoke ci"))
            _ = try registry.revokeToken(.id(first.record.id), at: start)
            let second = try registry.createToken(NewToken(name: "ci", scope: .admin, createdAt: start))
            #expect(second.record.id == 2)
            #expect(try registry.revokeToken(.id(1), at: start.addingTimeInterval(9)).revokedAt == start, "revoked once")
            #expect(throws: RegistryError.self) { try registry.revokeToken(.name("nobody")) }
            #expect(throws: RegistryError.self) { try registry.revokeToken(.id(99)) }
            for name in ["", "1ci", "c i", "ci/prod", String(repeating: "a", count: 65)] {
                #expect(throws: RegistryError.self) { try registry.createToken(NewToken(name: name, scope: .run, createdAt: start)) }
            }
            for skills in [[], [""], ["a,b"]] as [[String]] {
                #expect(throws: RegistryError.self) {
                    try registry.createToken(NewToken(name: "s", scope: .run, skills: skills, createdAt: start))
                }
            }
        }
    }
}

extension TokenRecord {
    /// This record with another last use.
    func with(lastUsedAt date: Date) -> TokenRecord {
        var copy = self
        copy.lastUsedAt = date
        return copy
    }
}

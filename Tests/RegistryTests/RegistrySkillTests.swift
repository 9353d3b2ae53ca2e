import Foundation
import Testing
@testable import Registry

@Suite("Registry: opening and skills")
struct RegistrySkillTests {
    @Test("a new registry is created 0700 at the latest schema version; reopening changes nothing")
    func freshAndReopened() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory + "/nested/data"
            do {
                let registry = try Registry(dataDirectory: data)
                #expect(registry.databasePath == data + "/registry.sqlite3")
                #expect(permissions(of: data) == 0o700)
                #expect(try userVersion(of: registry.databasePath) == Registry.schemaVersion)
                #expect(Registry.schemaVersion == 9)
            }
            let reopened = try Registry(dataDirectory: data)
            #expect(try userVersion(of: reopened.databasePath) == Registry.schemaVersion)
            #expect(try reopened.skills().isEmpty)
        }
    }

    @Test("a registry written by a newer skillhost is refused")
    func schemaTooNew() async throws {
        try await withTemporaryDirectory { directory in
            let path = try Registry(dataDirectory: directory).databasePath
            try DatabaseQueue(path: path).withConnection { (database) throws(DatabaseError) in
                try database.execute("PRAGMA user_version = \(Registry.schemaVersion + 1)")
            }
            #expect {
                try Registry(dataDirectory: directory)
            } throws: { error in
                let known = Registry.schemaVersion
                guard case .schemaTooNew(path, known + 1, known)? = error as? RegistryError else { return false }
                return "\(error)" == "registry at \(path) has schema version \(known + 1), this skillhostd knows up to \(known): "
                    + "upgrade skillhost"
            }
            #expect(try userVersion(of: path) == Registry.schemaVersion + 1)
        }
    }

    @Test("install is idempotent, refuses a conflict, and replaces with force")
    func installOutcomes() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let original = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1, 2, 3])
            #expect(try registry.install(original, force: false) == .installed)
            #expect(try registry.skill(named: "hello", version: "1.0.0") == original)

            var later = original
            later.installedAt = Date(timeIntervalSince1970: 1_800_000_000)
            #expect(try registry.install(later, force: false) == .unchanged)
            #expect(try registry.skill(named: "hello", version: "1.0.0")?.installedAt == original.installedAt)

            let rebuilt = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [4, 5, 6, 7])
            #expect {
                try registry.install(rebuilt, force: false)
            } throws: { error in
                guard case .conflict("hello", "1.0.0", original.sha256, rebuilt.sha256)? = error as? RegistryError
                else { return false }
                return "\(error)".contains("use --force to replace it, or bump the version")
            }
            #expect(try registry.skill(named: "hello", version: "1.0.0") == original)

            #expect(try registry.install(rebuilt, force: true) == .replaced)
            #expect(try registry.skill(named: "hello", version: "1.0.0") == rebuilt)
            #expect(!FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: original.sha256)))
            #expect(FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: rebuilt.sha256)))
        }
    }

    @Test("a replaced file that another skill still uses is kept")
    func replaceKeepsSharedFile() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let shared = try storedSkill(registry, in: directory, name: "a", version: "1.0.0", bytes: [9])
            var twin = shared
            twin.name = "b"
            #expect(try registry.install(shared, force: false) == .installed)
            #expect(try registry.install(twin, force: false) == .installed)
            #expect(try registry.skills(withSHA256: shared.sha256).map(\.name) == ["a", "b"])
            let replacement = try storedSkill(registry, in: directory, name: "a", version: "1.0.0", bytes: [10])
            #expect(try registry.install(replacement, force: true) == .replaced)
            #expect(FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: shared.sha256)))
            #expect(try registry.skills(withSHA256: shared.sha256).map(\.name) == ["b"])
        }
    }

    @Test("install refuses records without a stored file, a valid hash, or a semantic version")
    func installValidation() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            var skill = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            skill.sha256 = String(repeating: "b", count: 64)
            #expect {
                try registry.install(skill, force: false)
            } throws: { error in
                guard case .storedFileMissing? = error as? RegistryError else { return false }
                return true
            }
            skill.sha256 = "not-a-hash"
            #expect {
                try registry.install(skill, force: false)
            } throws: { error in
                guard case .invalidSHA256("not-a-hash")? = error as? RegistryError else { return false }
                return true
            }
            skill = try storedSkill(registry, in: directory, name: "hello", version: "1.0", bytes: [1])
            #expect {
                try registry.install(skill, force: false)
            } throws: { error in
                guard case .invalidVersion("hello", "1.0")? = error as? RegistryError else { return false }
                return true
            }
            #expect(try registry.skills().isEmpty)
        }
    }

    @Test("the highest semantic version is chosen, and listings sort by name then version")
    func versionsAndListing() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let versions = ["1.10.0", "1.9.0", "2.0.0-rc.1", "1.2.0", "2.0.0-beta"]
            for (index, version) in versions.enumerated() {
                let skill = try storedSkill(registry, in: directory, name: "hello", version: version, bytes: [UInt8(index)])
                #expect(try registry.install(skill, force: false) == .installed)
            }
            let other = try storedSkill(registry, in: directory, name: "echo", version: "0.1.0", bytes: [99])
            #expect(try registry.install(other, force: false) == .installed)

            #expect(try registry.skill(named: "hello", version: nil)?.version == "2.0.0-rc.1")
            #expect(try registry.skill(named: "hello", version: "1.9.0")?.version == "1.9.0")
            #expect(try registry.skill(named: "hello", version: "3.0.0") == nil)
            #expect(try registry.skill(named: "nobody", version: nil) == nil)
            #expect(try registry.skills().map { "\($0.name)@\($0.version)" } == [
                "echo@0.1.0", "hello@1.2.0", "hello@1.9.0", "hello@1.10.0", "hello@2.0.0-beta", "hello@2.0.0-rc.1",
            ])
        }
    }

    @Test("removing skills deletes unused files and keeps the runs")
    func removeKeepsRuns() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let one = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            let two = try storedSkill(registry, in: directory, name: "hello", version: "2.0.0", bytes: [2])
            _ = try registry.install(one, force: false)
            _ = try registry.install(two, force: false)
            let run = try registry.createRun(newRun(of: "hello"))

            #expect(try registry.removeSkills(named: "hello", version: "2.0.0") == [two])
            #expect(!FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: two.sha256)))
            #expect(try registry.skill(named: "hello", version: nil) == one)

            #expect(try registry.removeSkills(named: "hello", version: nil) == [one])
            #expect(try registry.removeSkills(named: "hello", version: nil) == [])
            #expect(!FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: one.sha256)))
            #expect(try registry.skills().isEmpty)
            #expect(try registry.run(id: run.id) == run)
        }
    }

    @Test("discardStoredFileIfUnused removes only files no skill uses")
    func discard() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let used = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            _ = try registry.install(used, force: false)
            try writeFile(directory + "/orphan.so", [2])
            let orphan = try registry.storeSkillFile(contentsOf: directory + "/orphan.so")

            try registry.discardStoredFileIfUnused(sha256: used.sha256)
            try registry.discardStoredFileIfUnused(sha256: orphan.sha256)

            #expect(FileManager.default.fileExists(atPath: try registry.storedFilePath(sha256: used.sha256)))
            #expect(!FileManager.default.fileExists(atPath: orphan.path))
            #expect(throws: RegistryError.self) { try registry.discardStoredFileIfUnused(sha256: "../x") }
        }
    }

    @Test("skills survive reopening the registry")
    func persistence() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory + "/data"
            let skill: SkillRecord
            do {
                let registry = try Registry(dataDirectory: data)
                skill = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1, 2])
                _ = try registry.install(skill, force: false)
            }
            let reopened = try Registry(dataDirectory: data)
            #expect(try reopened.skills() == [skill])
            #expect(FileManager.default.fileExists(atPath: try reopened.storedFilePath(sha256: skill.sha256)))
        }
    }

    private func userVersion(of path: String) throws -> Int {
        try DatabaseQueue(path: path).withConnection { (database) throws(DatabaseError) -> Int in
            Int(try database.fetchOne("PRAGMA user_version") { $0.int64(at: 0) } ?? -1)
        }
    }
}

import Foundation
import SkillhostModel
import Testing
@testable import Registry

@Suite("Registry: a skill's grants")
struct RegistryGrantsTests {
    @Test("grants set at install and changed later survive reopening the registry")
    func grantsPersist() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            var first = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            first.grants = SkillGrants(network: .host, readOnlyPaths: ["/etc/hosts", "/usr/share"], processLimit: 8)
            let second = try storedSkill(registry, in: directory, name: "hello", version: "1.1.0", bytes: [2])
            for skill in [first, second] {
                #expect(try registry.install(skill, force: false) == .installed)
            }
            #expect(try registry.skill(named: "hello", version: "1.0.0")?.grants == first.grants)
            #expect(try registry.skill(named: "hello", version: "1.1.0")?.grants == SkillGrants.none)

            let changed = SkillGrants(network: .none, readOnlyPaths: ["/opt"], processLimit: nil, cpuSecondsPerRun: 30)
            let updated = try registry.updateGrants(name: "hello", version: "1.1.0", to: changed)
            #expect(updated.map(\.grants) == [changed])
            #expect(try registry.updateGrants(name: "missing", version: nil, to: changed).isEmpty)

            let reopened = try Registry(dataDirectory: directory + "/data")
            #expect(try reopened.skill(named: "hello", version: "1.0.0")?.grants == first.grants)
            #expect(try reopened.skill(named: "hello", version: "1.1.0")?.grants == changed)
            #expect(try reopened.skill(named: "hello", version: "1.1.0")?.isolation == second.isolation)
        }
    }
}

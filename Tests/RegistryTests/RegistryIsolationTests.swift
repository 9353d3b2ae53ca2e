import Foundation
import Testing
@testable import Registry

@Suite("Registry: changing a skill's isolation")
struct RegistryIsolationTests {
    @Test("one version or every version changes, the rest of the record stays, and the change persists")
    func updateIsolation() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let first = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            let second = try storedSkill(registry, in: directory, name: "hello", version: "1.1.0", bytes: [2])
            let other = try storedSkill(registry, in: directory, name: "other", version: "1.0.0", bytes: [3])
            for skill in [first, second, other] {
                #expect(try registry.install(skill, force: false) == .installed)
            }

            let one = try registry.updateIsolation(name: "hello", version: "1.0.0", to: .inprocess)
            var expected = first
            expected.isolation = .inprocess
            #expect(one == [expected])
            #expect(try registry.skill(named: "hello", version: "1.0.0") == expected)
            #expect(try registry.skill(named: "hello", version: "1.1.0")?.isolation == .process)

            let all = try registry.updateIsolation(name: "hello", version: nil, to: .inprocess)
            #expect(all.map(\.version) == ["1.0.0", "1.1.0"])
            #expect(all.allSatisfy { $0.isolation == .inprocess })
            #expect(try registry.skill(named: "other", version: nil)?.isolation == .process)

            let reopened = try Registry(dataDirectory: directory + "/data")
            #expect(try reopened.skills().map(\.isolation) == [.inprocess, .inprocess, .process])
        }
    }

    @Test("an unknown name or version changes nothing and returns no skills")
    func unknownSkill() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory + "/data")
            let skill = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            #expect(try registry.install(skill, force: false) == .installed)
            #expect(try registry.updateIsolation(name: "nope", version: nil, to: .inprocess).isEmpty)
            #expect(try registry.updateIsolation(name: "hello", version: "9.9.9", to: .inprocess).isEmpty)
            #expect(try registry.skill(named: "hello", version: nil)?.isolation == .process)
        }
    }
}

import Foundation
import SkillhostModel
import Testing
@testable import Registry

@Suite("Registry: skill states and replays")
struct RegistryLifecycleTests {
    @Test("a skill's state is stored per version, outlives reopening, and survives a forced replace of its file")
    func statesPersist() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory + "/data"
            do {
                let registry = try Registry(dataDirectory: data)
                for version in ["1.0.0", "2.0.0"] {
                    _ = try registry.install(
                        try storedSkill(registry, in: directory, name: "hello", version: version, bytes: [1]), force: false)
                }
                #expect(try registry.skills().map(\.state) == [.enabled, .enabled], "a new skill is enabled")
                let changed = try registry.updateState(name: "hello", version: "1.0.0", to: .disabled)
                #expect(changed.map(\.version) == ["1.0.0"])
                #expect(changed.first?.state == .disabled)
                #expect(try registry.skill(named: "hello", version: "1.0.0")?.state == .disabled, "the lookup cache forgot the old state")
                let replacement = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [2])
                #expect(try registry.install(replacement, force: true) == .replaced)
            }
            let reopened = try Registry(dataDirectory: data)
            #expect(try reopened.skills().map(\.state) == [.disabled, .enabled])
            #expect(try reopened.updateState(name: "hello", version: nil, to: .draining).map(\.state) == [.draining, .draining])
            #expect(try reopened.updateState(name: "nope", version: nil, to: .disabled).isEmpty)
        }
    }

    @Test("a run records the run it replays")
    func replayOf() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let original = try registry.createRun(newRun(of: "hello"))
            #expect(original.replayOf == nil)
            var replay = newRun(of: "hello")
            replay.trigger = "replay"
            replay.replayOf = original.id
            let recorded = try registry.createRun(replay)
            #expect(recorded.replayOf == original.id)
            #expect(try registry.run(id: recorded.id)?.replayOf == original.id)
            #expect(try registry.run(id: original.id)?.replayOf == nil)
        }
    }
}

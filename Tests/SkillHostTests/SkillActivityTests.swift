import Foundation
import Registry
import SkillDaemon
import SkillhostModel
import Testing

/// The per-skill gate of new runs and counters of ``SkillActivity``.
@Suite("Skill activity: the run gate and the counters")
struct SkillActivityTests {
    private func skill(_ version: String = "1.0.0", state: SkillState = .enabled) -> SkillRecord {
        SkillRecord(name: "hello", version: version, sha256: String(repeating: "a", count: 64), size: 1, description: "",
                    abiMajor: 1, abiMinor: 1, state: state, installedAt: Date())
    }

    @Test("counters move by each run admitted and ended; percentiles are the nearest rank of the durations")
    func counters() throws {
        let activity = SkillActivity()
        let key = SkillActivity.Key(skill())
        #expect(activity.counters(key) == SkillActivity.Counters())
        for milliseconds in 1...100 {
            try activity.admit(skill())
            activity.end(key, succeeded: milliseconds % 10 != 0, duration: .milliseconds(milliseconds))
        }
        try activity.admit(skill())
        let counters = activity.counters(key)
        #expect(counters.inFlight == 1)
        #expect(counters.finished == 100)
        #expect(counters.failed == 10)
        #expect(counters.p50 == .milliseconds(50))
        #expect(counters.p99 == .milliseconds(99))
        #expect(activity.counters(SkillActivity.Key(skill("2.0.0"))) == SkillActivity.Counters(), "per version")
    }

    @Test("the sample of durations is bounded: the oldest leave it")
    func boundedSample() throws {
        let activity = SkillActivity()
        let key = SkillActivity.Key(skill())
        for _ in 0..<SkillActivity.durationSampleSize {
            try activity.admit(skill())
            activity.end(key, succeeded: true, duration: .seconds(10))
        }
        for _ in 0..<SkillActivity.durationSampleSize {
            try activity.admit(skill())
            activity.end(key, succeeded: true, duration: .milliseconds(1))
        }
        #expect(activity.counters(key).p99 == .milliseconds(1))
        #expect(activity.counters(key).finished == 2 * SkillActivity.durationSampleSize)
    }

    @Test("a closed gate or a state other than enabled refuses with skill_disabled and how to enable; open admits again")
    func gate() throws {
        let activity = SkillActivity()
        let key = SkillActivity.Key(skill())
        #expect(activity.close(key) == 0)
        let refusal = #expect(throws: ServiceError.self) { try activity.admit(skill()) }
        #expect(refusal?.kind == .skillDisabled)
        #expect(refusal?.message.contains("`skillctl skills enable hello`") == true)
        activity.open(key)
        try activity.admit(skill())
        #expect(throws: ServiceError.self) { try activity.admit(skill(state: .disabled)) }
        #expect(throws: ServiceError.self) { try activity.checkAccepting(skill(state: .draining)) }
        #expect(activity.counters(key).inFlight == 1, "a refused run is counted nowhere")
    }

    @Test("waiting until idle returns when the last run in flight ends, or false at its timeout")
    func waitUntilIdle() async throws {
        let activity = SkillActivity()
        let key = SkillActivity.Key(skill())
        #expect(await activity.waitUntilIdle(key, timeout: .seconds(5)), "nothing in flight")
        try activity.admit(skill())
        try activity.admit(skill())
        #expect(activity.close(key) == 2)
        #expect(await activity.waitUntilIdle(key, timeout: .milliseconds(20)) == false)
        let waiting = Task { await activity.waitUntilIdle(key, timeout: .seconds(30)) }
        activity.end(key, succeeded: true, duration: .milliseconds(1))
        try await Task.sleep(for: .milliseconds(20))
        activity.end(key, succeeded: true, duration: .milliseconds(1))
        #expect(await waiting.value)
    }
}

import Foundation
@testable import Registry
import SkillhostModel
import Testing

@Suite("Registry: schedules")
struct RegistryScheduleTests {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("a schedule and its fires persist across a reopen; pause, fires and removal are recorded")
    func lifecycle() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let created = try registry.createSchedule(NewSchedule(
                skill: "echo@1.0.0", cron: "*/5 * * * *", timeZone: "Europe/Berlin", input: .file(path: "/data/items.jsonl"),
                parallelism: 3, concurrency: .replace, catchUp: .once, callerUID: 1000, callerGID: 100, createdAt: start,
                nextFireAt: start + 300))
            #expect(created.input == .file(path: "/data/items.jsonl"))
            #expect(created.concurrency == .replace && created.catchUp == .once && !created.paused)
            #expect(created.nextFireAt == start + 300 && created.lastFireAt == nil)

            let fires = [
                ScheduleFire(scheduledAt: start + 300, firedAt: start + 900, outcome: .missed, reason: "down"),
                ScheduleFire(scheduledAt: start + 600, firedAt: start + 900, outcome: .started, batchID: 7),
            ]
            let fired = try #require(try registry.recordScheduleFires(id: created.id, fires, nextFireAt: start + 1200))
            #expect(fired.lastFireAt == start + 900)
            #expect(fired.nextFireAt == start + 1200)

            let reopened = try Registry(dataDirectory: directory)
            #expect(try reopened.schedule(id: created.id) == fired)
            #expect(try reopened.scheduleFires(id: created.id) == fires.reversed())
            let paused = try #require(try reopened.setSchedulePaused(id: created.id, true, nextFireAt: nil))
            #expect(paused.paused && paused.nextFireAt == nil)

            let fixed = try reopened.createSchedule(NewSchedule(
                skill: "echo", cron: "@daily", timeZone: "UTC", input: .fixed(#"{"a":1}"#), createdAt: start, nextFireAt: nil))
            #expect(try reopened.schedules().map(\.id) == [created.id, fixed.id])
            #expect(fixed.input == .fixed(#"{"a":1}"#))

            #expect(try reopened.removeSchedule(id: created.id)?.id == created.id)
            #expect(try reopened.schedule(id: created.id) == nil)
            #expect(try reopened.scheduleFires(id: created.id) == nil)
            #expect(try reopened.removeSchedule(id: created.id) == nil)
            #expect(try reopened.recordScheduleFires(id: created.id, fires, nextFireAt: nil) == nil)
        }
    }

    @Test("runs and batches keep the schedule that started them")
    func scheduleIDs() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let run = try registry.createRun(NewRun(
                skillName: "echo", skillVersion: "1.0.0", skillSHA256: String(repeating: "a", count: 64), input: "{}",
                trigger: "schedule", status: .running, createdAt: start, startedAt: start, scheduleID: 9))
            #expect(try registry.run(id: run.id)?.scheduleID == 9)
            let batch = try registry.createBatch(NewBatch(
                skillName: "echo", skillVersion: "1.0.0", skillSHA256: String(repeating: "b", count: 64), parallelism: 1,
                maximumRetries: 0, createdAt: start, inputs: ["1"], scheduleID: 9))
            #expect(batch.scheduleID == 9)
            #expect(try registry.batch(id: batch.id)?.scheduleID == 9)
        }
    }
}

import Foundation
import InferenceDriver
import JSONRPC
import Logging
@testable import ProcessIsolation
import Registry
import Scheduling
@testable import SkillDaemon
@testable import SkillRuntime
import TestSupport
import Testing

/// A registry in a temporary directory, a real run service and batch runner, and a
/// scheduler on a manual clock that starts on Monday 2026-01-05 at 10:00:30 UTC.
private struct SchedulerFixture {
    static let start = Date(timeIntervalSince1970: 1_767_607_230)

    let directory: TemporaryDirectory
    let registry: Registry
    let runs: RunService
    let batches: BatchRunner
    let clock = ManualSchedulerClock(now: start)

    init() throws {
        directory = try TemporaryDirectory(prefix: "sched")
        registry = try Registry(dataDirectory: directory.path("data"))
        let inference = ScriptedInference(.answer(delay: .zero))
        let runner = IsolatingRunner(process: ProcessRunner(inference: inference), inProcess: InProcessRunner(inference: inference))
        runs = RunService(registry: registry, runner: runner, configuration: LiveConfiguration(DaemonConfiguration(environment: [:])),
                          logger: Logger(level: .error))
        batches = BatchRunner(registry: registry, runs: runs, logger: Logger(level: .error))
    }

    /// A new scheduler over this fixture's registry and clock, as a daemon start makes.
    func scheduler() -> Scheduler {
        Scheduler(registry: registry, runs: runs, batches: batches, clock: clock, logger: Logger(level: .error))
    }

    /// Installs the fixture skill `name` to run in-process.
    func install(_ name: String) async throws {
        let stored = try registry.storeSkillFile(contentsOf: try await FixtureSkills.path(for: name))
        _ = try registry.install(SkillRecord(name: name, version: "1.0.0", sha256: stored.sha256, size: stored.size,
                                             description: name, abiMajor: 1, abiMinor: 0, isolation: .inprocess,
                                             installedAt: Date()), force: false)
    }

    /// Adds an every-minute UTC schedule of `skill` with a fixed `input`.
    func add(_ skill: String, input: String, cron: String = "* * * * *", concurrency: ScheduleConcurrency = .allow,
             catchUp: ScheduleCatchUp = .skip, to scheduler: Scheduler) async throws -> ScheduleRecord {
        try await scheduler.add(
            NewSchedule(skill: skill, cron: cron, timeZone: "UTC", input: .fixed(input), concurrency: concurrency,
                        catchUp: catchUp, createdAt: clock.now, nextFireAt: nil),
            expression: try CronExpression(cron), timeZone: try CronTimeZone.named("UTC"))
    }

    /// The fires of schedule `id`, oldest first.
    func fires(_ id: Int64) throws -> [ScheduleFire] {
        try #require(try registry.scheduleFires(id: id, limit: 1000)).reversed()
    }

    /// Polls (in real time, briefly) until `condition` holds; fails after 10 s.
    func waitUntil(_ what: String, _ condition: () throws -> Bool) async throws {
        for _ in 0..<1000 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting until \(what)")
    }

    /// The date `seconds` after 10:00:00 on the fixture's day.
    static func at(minute: Int, second: Int = 0) -> Date {
        start.addingTimeInterval(Double(minute * 60 + second - 30))
    }
}

@Suite("Scheduler", .serialized)
struct SchedulerTests {
    @Test("a schedule fires at its cron times, and each fire starts a run with trigger schedule")
    func firesAtCronTimes() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("echo")
        let scheduler = fixture.scheduler()
        let schedule = try await fixture.add("echo", input: #"{"hello":1}"#, to: scheduler)
        #expect(schedule.nextFireAt == SchedulerFixture.at(minute: 1))
        await scheduler.start()

        for minute in 1...2 {
            await fixture.clock.waitForSleepers(atLeast: 1)
            #expect(fixture.clock.nextDeadline == SchedulerFixture.at(minute: minute))
            fixture.clock.advance(to: SchedulerFixture.at(minute: minute))
            try await fixture.waitUntil("fire \(minute) is recorded") { try fixture.fires(schedule.id).count == minute }
        }
        let fires = try fixture.fires(schedule.id)
        #expect(fires.map(\.scheduledAt) == [SchedulerFixture.at(minute: 1), SchedulerFixture.at(minute: 2)])
        #expect(fires.map(\.outcome) == [.started, .started])
        let runID = try #require(fires.last?.runID)
        try await fixture.waitUntil("the run ends") { try fixture.registry.run(id: runID)?.status.isFinal == true }
        let run = try #require(try fixture.registry.run(id: runID))
        #expect(run.trigger == "schedule")
        #expect(run.scheduleID == schedule.id)
        #expect(run.output == #"{"hello":1}"#)
        let stored = try #require(try fixture.registry.schedule(id: schedule.id))
        #expect(stored.nextFireAt == SchedulerFixture.at(minute: 3))
        #expect(stored.lastFireAt == SchedulerFixture.at(minute: 2))
        await scheduler.shutDown(grace: .zero)
    }

    @Test("a scheduler that wakes late fires the latest due time and records the earlier ones as missed")
    func lateWakeUp() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("echo")
        let scheduler = fixture.scheduler()
        let schedule = try await fixture.add("echo", input: "{}", to: scheduler)
        await scheduler.start()
        await fixture.clock.waitForSleepers(atLeast: 1)
        fixture.clock.advance(to: SchedulerFixture.at(minute: 3, second: 10))
        try await fixture.waitUntil("the fires are recorded") { try fixture.fires(schedule.id).count == 3 }
        let fires = try fixture.fires(schedule.id)
        #expect(fires.map(\.scheduledAt) == (1...3).map { SchedulerFixture.at(minute: $0) })
        #expect(fires.map(\.outcome) == [.missed, .missed, .started])
        #expect(fires.allSatisfy { $0.firedAt == SchedulerFixture.at(minute: 3, second: 10) })
        #expect(try fixture.registry.schedule(id: schedule.id)?.nextFireAt == SchedulerFixture.at(minute: 4))
        await scheduler.shutDown(grace: .zero)
    }

    @Test("forbid skips a fire while the previous run is in flight; replace cancels it and starts anew")
    func concurrencyPolicies() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("sleeps")
        let scheduler = fixture.scheduler()
        await scheduler.start()
        let forbid = try await fixture.add("sleeps", input: "30000", concurrency: .forbid, to: scheduler)
        let first = try await scheduler.trigger(id: forbid.id)
        #expect(first.outcome == .started)
        #expect(first.scheduledAt == first.firedAt)
        #expect(first.scheduledAt == fixture.clock.now)
        let second = try await scheduler.trigger(id: forbid.id)
        #expect(second.outcome == .skipped)
        #expect(second.reason?.hasPrefix("forbid: the previous fire is still running") == true)

        // The cron fire is skipped too while the run holds.
        await fixture.clock.waitForSleepers(atLeast: 1)
        fixture.clock.advance(to: SchedulerFixture.at(minute: 1))
        try await fixture.waitUntil("the cron fire is recorded") { try fixture.fires(forbid.id).count == 3 }
        #expect(try fixture.fires(forbid.id).map(\.outcome) == [.started, .skipped, .skipped])

        let replace = try await fixture.add("sleeps", input: "30000", concurrency: .replace, to: scheduler)
        let held = try #require(try await scheduler.trigger(id: replace.id).runID)
        let replacing = try await scheduler.trigger(id: replace.id)
        #expect(replacing.outcome == .started)
        #expect(try fixture.registry.run(id: held)?.status == .cancelled)
        let current = try #require(replacing.runID)
        #expect(current != held)
        #expect(try fixture.registry.run(id: current)?.status == .running)
        await scheduler.shutDown(grace: .zero)
    }

    @Test("a batch that an earlier daemon's fire started still counts for forbid after a restart")
    func forbidSeesBatchesOfEarlierDaemon() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("sleeps")
        let file = fixture.directory.path("items.jsonl")
        try Data("30000\n30000\n".utf8).write(to: URL(fileURLWithPath: file))
        let before = fixture.scheduler()
        let schedule = try await before.add(
            NewSchedule(skill: "sleeps", cron: "@daily", timeZone: "UTC", input: .file(path: file), concurrency: .forbid,
                        createdAt: fixture.clock.now, nextFireAt: nil),
            expression: try CronExpression("@daily"), timeZone: try CronTimeZone.named("UTC"))
        let batchID = try #require(try await before.trigger(id: schedule.id).batchID)
        let batch = try #require(try fixture.registry.batch(id: batchID))
        #expect(batch.scheduleID == schedule.id)
        #expect(batch.counts.total == 2)

        let after = fixture.scheduler()
        await after.start()
        let skipped = try await after.trigger(id: schedule.id)
        #expect(skipped.outcome == .skipped)
        #expect(skipped.reason?.contains("batch \(batchID)") == true)

        try await fixture.waitUntil("an item of the batch runs") {
            try !fixture.registry.runs(matching: RunQuery(skillName: "sleeps")).isEmpty
        }
        _ = try fixture.batches.cancel(id: batchID)
        await fixture.batches.waitForIdle(id: batchID)
        let runs = try fixture.registry.runs(matching: RunQuery(skillName: "sleeps"))
        #expect(!runs.isEmpty && runs.allSatisfy { $0.trigger == "schedule" && $0.scheduleID == schedule.id })
        #expect(try await after.trigger(id: schedule.id).outcome == .started)
        await after.shutDown(grace: .zero)
        for batch in try #require(try fixture.registry.scheduleFires(id: schedule.id)).compactMap(\.batchID) {
            _ = try fixture.batches.cancel(id: batch)
            await fixture.batches.waitForIdle(id: batch)
        }
    }

    @Test("after a downtime, catch-up skip records the missed times; once fires the latest of them")
    func catchUp() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("echo")
        let before = fixture.scheduler()
        await before.start()
        let skip = try await fixture.add("echo", input: "1", catchUp: .skip, to: before)
        let once = try await fixture.add("echo", input: "2", catchUp: .once, to: before)
        await before.shutDown(grace: .zero)

        // The daemon is down from 10:00:30 to 10:03:30.
        fixture.clock.advance(to: SchedulerFixture.at(minute: 3, second: 30))
        let after = fixture.scheduler()
        await after.start()

        let missedTimes = (1...3).map { SchedulerFixture.at(minute: $0) }
        let skipped = try fixture.fires(skip.id)
        #expect(skipped.map(\.scheduledAt) == missedTimes)
        #expect(skipped.allSatisfy { $0.outcome == .missed && $0.firedAt == fixture.clock.now })
        let caughtUp = try fixture.fires(once.id)
        #expect(caughtUp.map(\.scheduledAt) == missedTimes)
        #expect(caughtUp.map(\.outcome) == [.missed, .missed, .started])
        #expect(caughtUp.last?.runID != nil)
        for id in [skip.id, once.id] {
            #expect(try fixture.registry.schedule(id: id)?.nextFireAt == SchedulerFixture.at(minute: 4))
        }
        await after.shutDown(grace: .zero)
    }

    @Test("after a year down, an every-minute schedule records the latest fire times only, at once")
    func longDowntime() throws {
        let first = SchedulerFixture.at(minute: 1)
        let now = first.addingTimeInterval(365 * 86_400 + 90)
        let clock = ContinuousClock()
        let began = clock.now
        let (times, dropped) = Scheduler.dueTimes(
            from: first, until: now, expression: try CronExpression("* * * * *"), in: try CronTimeZone.named("UTC"))
        #expect(clock.now - began < .seconds(2))
        #expect(dropped)
        #expect(times.count == Scheduler.missedRecordLimit + 1)
        #expect(times.last == first.addingTimeInterval(365 * 86_400 + 60))
        #expect(zip(times, times.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 60 })

        let short = Scheduler.dueTimes(
            from: first, until: first.addingTimeInterval(150), expression: try CronExpression("* * * * *"),
            in: try CronTimeZone.named("UTC"))
        #expect(short.times == [first, first + 60, first + 120])
        #expect(!short.earlierDropped)
    }

    @Test("a paused schedule does not fire; resumed, it goes on from its next time; trigger fires it now")
    func pauseResumeTrigger() async throws {
        let fixture = try SchedulerFixture()
        try await fixture.install("echo")
        let scheduler = fixture.scheduler()
        await scheduler.start()
        let schedule = try await fixture.add("echo", input: "{}", to: scheduler)
        let paused = try await scheduler.pause(id: schedule.id)
        #expect(paused.paused)
        #expect(paused.nextFireAt == nil)

        await fixture.clock.waitForSleepers(atLeast: 1)
        #expect(fixture.clock.nextDeadline == .distantFuture)
        fixture.clock.advance(to: SchedulerFixture.at(minute: 5, second: 30))
        #expect(try fixture.fires(schedule.id).isEmpty)

        let triggered = try await scheduler.trigger(id: schedule.id)
        #expect(triggered.outcome == .started)
        #expect(triggered.scheduledAt == SchedulerFixture.at(minute: 5, second: 30))
        #expect(triggered.firedAt == triggered.scheduledAt)

        let resumed = try await scheduler.resume(id: schedule.id)
        #expect(!resumed.paused)
        #expect(resumed.nextFireAt == SchedulerFixture.at(minute: 6))
        await fixture.clock.waitForSleepers(atLeast: 1)
        #expect(fixture.clock.nextDeadline == SchedulerFixture.at(minute: 6))
        fixture.clock.advance(to: SchedulerFixture.at(minute: 6))
        try await fixture.waitUntil("the fire after resuming is recorded") { try fixture.fires(schedule.id).count == 2 }
        #expect(try fixture.fires(schedule.id).map(\.scheduledAt)
            == [SchedulerFixture.at(minute: 5, second: 30), SchedulerFixture.at(minute: 6)])

        await #expect(throws: ScheduleFailure.self) { try await scheduler.trigger(id: 999) }
        await scheduler.shutDown(grace: .zero)
    }
}

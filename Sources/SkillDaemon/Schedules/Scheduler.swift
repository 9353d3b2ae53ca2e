import Foundation
import Glibc
import JSON
import Logging
import Registry
import Scheduling
import SkillhostModel

/// Fires the registry's schedules at their cron times: one task sleeps on a
/// ``SchedulerClock`` until the earliest next fire time among the active schedules, and is
/// woken to plan again whenever a schedule changes.
///
/// A fire of a schedule with a fixed input starts one run (trigger `schedule`) without
/// waiting for it; one with an input file starts a batch over the file's lines. The
/// concurrency policy decides what happens while the previous fire's work still runs, and
/// the catch-up policy what ``start()`` does about the fire times missed while the daemon
/// was down. Every fire time is recorded, started, skipped or missed.
public actor Scheduler {
    /// The most missed fire times recorded for one wake-up, besides the latest; older ones
    /// are not recorded (the log says so), so a long downtime of a frequent schedule cannot
    /// flood the registry.
    public static let missedRecordLimit = 100

    /// The work a fire started, while it may still run.
    private enum FireWork {
        case run(id: Int64, task: Task<Void, Never>)
        case batch(id: Int64)
    }

    private let registry: Registry
    private let runs: RunService
    private let batches: BatchRunner
    private let clock: any SchedulerClock
    private let logger: Logger
    /// Where the recorded fires are counted; nil: nowhere.
    private let metrics: DaemonMetrics?
    private var loop: Task<Void, Never>?
    private var sleeper: Task<Void, any Error>?
    private var work: [Int64: [FireWork]] = [:]

    /// Creates a scheduler that counts its fires in `metrics`; nothing fires until ``start()``.
    public init(registry: Registry, runs: RunService, batches: BatchRunner, clock: any SchedulerClock, logger: Logger,
                metrics: DaemonMetrics? = nil) {
        self.metrics = metrics
        self.registry = registry
        self.runs = runs
        self.batches = batches
        self.clock = clock
        self.logger = logger
    }

    /// Applies each active schedule's catch-up policy to the fire times that passed while the
    /// daemon was down, then starts firing. Call it once.
    public func start() async {
        guard loop == nil else { return }
        adoptUnfinishedBatches()
        await fireDue(catchingUp: true)
        loop = Task { await self.runLoop() }
    }

    /// Stops firing, gives the runs that fires started `grace` to end, then cancels the rest
    /// and waits for them. Batches are stopped by their ``BatchRunner``.
    public func shutDown(grace: Duration) async {
        loop?.cancel()
        await loop?.value
        loop = nil
        let tasks = work.values.flatMap { $0 }.compactMap { work -> Task<Void, Never>? in
            if case let .run(_, task) = work { return task }
            return nil
        }
        let deadline = Task {
            guard (try? await Task.sleep(for: grace)) != nil else { return }
            for task in tasks { task.cancel() }
        }
        for task in tasks { await task.value }
        deadline.cancel()
    }

    // MARK: - Changes

    /// Records `schedule` with its first fire time after now, and plans again.
    /// - Throws: ``ScheduleFailure/registry(_:)``.
    public func add(_ schedule: NewSchedule, expression: CronExpression, timeZone: TimeZone) throws(ScheduleFailure) -> ScheduleRecord {
        var schedule = schedule
        schedule.nextFireAt = expression.nextFire(after: clock.now, in: timeZone)
        let record = try registryCall { () throws(RegistryError) in try registry.createSchedule(schedule) }
        replan()
        return record
    }

    /// Removes schedule `id`; the work it started goes on.
    public func remove(id: Int64) throws(ScheduleFailure) -> ScheduleRecord {
        guard let removed = try registryCall({ () throws(RegistryError) in try registry.removeSchedule(id: id) }) else {
            throw .notFound(id: id)
        }
        work[id] = nil
        replan()
        return removed
    }

    /// Pauses schedule `id`: it does not fire until resumed.
    public func pause(id: Int64) throws(ScheduleFailure) -> ScheduleRecord {
        let paused = try registryCall { () throws(RegistryError) in try registry.setSchedulePaused(id: id, true, nextFireAt: nil) }
        guard let paused else { throw .notFound(id: id) }
        replan()
        return paused
    }

    /// Resumes schedule `id` from its next fire time after now; the times that passed while it
    /// was paused are not fired.
    public func resume(id: Int64) throws(ScheduleFailure) -> ScheduleRecord {
        guard let schedule = try registryCall({ () throws(RegistryError) in try registry.schedule(id: id) }) else {
            throw .notFound(id: id)
        }
        let next = plan(for: schedule).flatMap { $0.expression.nextFire(after: clock.now, in: $0.timeZone) }
        let resumed = try registryCall { () throws(RegistryError) in try registry.setSchedulePaused(id: id, false, nextFireAt: next) }
        guard let resumed else { throw .notFound(id: id) }
        replan()
        return resumed
    }

    /// Fires schedule `id` now, paused or not, under its concurrency policy, and records the
    /// fire with scheduled and actual time now; its next fire time is unchanged.
    public func trigger(id: Int64) async throws(ScheduleFailure) -> ScheduleFire {
        guard let schedule = try registryCall({ () throws(RegistryError) in try registry.schedule(id: id) }) else {
            throw .notFound(id: id)
        }
        let now = clock.now
        let fire = await fire(schedule, scheduledAt: now, firedAt: now)
        let current = try registryCall { () throws(RegistryError) in try registry.schedule(id: id) }
        _ = try registryCall { () throws(RegistryError) in
            try registry.recordScheduleFires(id: id, [fire], nextFireAt: current?.nextFireAt)
        }
        metrics?.recordFires([fire])
        return fire
    }

    // MARK: - Firing

    /// Wakes at the earliest next fire time, fires what is due, and plans again; until cancelled.
    private func runLoop() async {
        while !Task.isCancelled {
            let deadline = (try? registry.schedules())?
                .filter { !$0.paused }.compactMap(\.nextFireAt).min() ?? .distantFuture
            let sleep = Task { [clock] in try await clock.sleep(until: deadline) }
            sleeper = sleep
            await withTaskCancellationHandler {
                _ = await sleep.result
            } onCancel: {
                sleep.cancel()
            }
            sleeper = nil
            guard !Task.isCancelled else { return }
            await fireDue(catchingUp: false)
        }
    }

    /// Counts the batches that earlier fires started (found among each schedule's latest
    /// fires) and that a previous daemon left running, as the work of their schedules: the
    /// concurrency policy applies to them as to work started here. (Runs do not outlive the
    /// daemon that started them.)
    private func adoptUnfinishedBatches() {
        for schedule in (try? registry.schedules()) ?? [] {
            let batchIDs = ((try? registry.scheduleFires(id: schedule.id)) ?? []).compactMap(\.batchID)
            let unfinished = batchIDs.filter { (try? registry.batch(id: $0))?.isFinished == false }
            if !unfinished.isEmpty { work[schedule.id] = unfinished.map { .batch(id: $0) } }
        }
    }

    /// Wakes the loop to plan again.
    private func replan() {
        sleeper?.cancel()
    }

    /// Fires every active schedule whose next fire time has come. Of several due times, the
    /// latest fires and the earlier are recorded as missed; at start-up (`catchingUp`), a
    /// schedule whose catch-up policy is `skip` fires none of them.
    private func fireDue(catchingUp: Bool) async {
        let schedules: [ScheduleRecord]
        do {
            schedules = try registry.schedules()
        } catch {
            logger.error("cannot read the schedules; none fires until the next change", ["error": .string("\(error)")])
            return
        }
        let now = clock.now
        for schedule in schedules where !schedule.paused {
            guard let first = schedule.nextFireAt, first <= now, let plan = plan(for: schedule) else { continue }
            let (due, earlierDropped) = Self.dueTimes(from: first, until: now, expression: plan.expression, in: plan.timeZone)
            let reason = catchingUp
                ? "skillhostd was not running at this time"
                : "a later fire time had come too when the scheduler woke"
            var fires = due.map { ScheduleFire(scheduledAt: $0, firedAt: now, outcome: .missed, reason: reason) }
            if !catchingUp || schedule.catchUp == .once {
                fires[fires.count - 1] = await fire(schedule, scheduledAt: due[due.count - 1])
            }
            if earlierDropped {
                logger.warning("more fire times were missed than are recorded; the earliest are not", [
                    "schedule_id": .int(schedule.id), "recorded": .int(Int64(due.count)),
                    "first_missed": .string(first.iso8601),
                ])
            }
            do {
                try registry.recordScheduleFires(
                    id: schedule.id, fires, nextFireAt: plan.expression.nextFire(after: max(now, clock.now), in: plan.timeZone))
                metrics?.recordFires(fires)
            } catch {
                logger.error("cannot record the fires of a schedule", ["schedule_id": .int(schedule.id), "error": .string("\(error)")])
            }
        }
    }

    /// The fire times from `first` (a fire time) to `now`, oldest first: all of them, or the
    /// latest ``missedRecordLimit`` + 1 and `true` when there were more. Looks back from `now`
    /// over doubling spans, so a long downtime of a frequent schedule costs no more than the
    /// times kept.
    static func dueTimes(from first: Date, until now: Date, expression: CronExpression, in timeZone: TimeZone)
        -> (times: [Date], earlierDropped: Bool)
    {
        let kept = missedRecordLimit + 1
        var span: TimeInterval = 3600
        while now.addingTimeInterval(-span) > first {
            var times: [Date] = []
            var cursor = now.addingTimeInterval(-span)
            while let next = expression.nextFire(after: cursor, in: timeZone), next <= now {
                times.append(next)
                cursor = next
            }
            if times.count >= kept { return (Array(times.suffix(kept)), true) }
            span *= 2
        }
        var times = [first]
        while let next = expression.nextFire(after: times[times.count - 1], in: timeZone), next <= now {
            times.append(next)
        }
        return (Array(times.suffix(kept)), times.count > kept)
    }

    /// Starts the work of one fire of `schedule`, under its concurrency policy; the fire is
    /// recorded as fired at `firedAt`, or when the work starts.
    private func fire(_ schedule: ScheduleRecord, scheduledAt: Date, firedAt: Date? = nil) async -> ScheduleFire {
        let previous = await unfinishedWork(of: schedule.id)
        if !previous.isEmpty {
            switch schedule.concurrency {
            case .allow:
                break
            case .forbid:
                return ScheduleFire(scheduledAt: scheduledAt, firedAt: firedAt ?? clock.now, outcome: .skipped,
                                    reason: "forbid: the previous fire is still running (\(Self.describe(previous)))")
            case .replace:
                await cancel(previous)
                work[schedule.id] = nil
            }
        }
        let firedAt = firedAt ?? clock.now
        do {
            let started: FireWork
            switch schedule.input {
            case let .fixed(text):
                started = try await startRun(of: schedule, input: text)
            case let .file(path):
                started = try startBatch(of: schedule, path: path, at: firedAt)
            }
            work[schedule.id, default: []].append(started)
            logger.info("schedule fired", ["schedule_id": .int(schedule.id), "work": .string(Self.describe([started]))])
            switch started {
            case let .run(id, _): return ScheduleFire(scheduledAt: scheduledAt, firedAt: firedAt, outcome: .started, runID: id)
            case let .batch(id): return ScheduleFire(scheduledAt: scheduledAt, firedAt: firedAt, outcome: .started, batchID: id)
            }
        } catch {
            logger.warning("a schedule fired but its work could not start", [
                "schedule_id": .int(schedule.id), "error": .string("\(error)"),
            ])
            return ScheduleFire(scheduledAt: scheduledAt, firedAt: firedAt, outcome: .skipped,
                                reason: "the work could not start: \(error)")
        }
    }

    /// Starts one run with `input` in the background and returns once it is recorded.
    private func startRun(of schedule: ScheduleRecord, input: String) async throws -> FireWork {
        let signal = RunStartSignal()
        let request = RunRequest(
            skill: schedule.skill, input: (try? JSONValue(parsing: input)) ?? .string(input), model: nil, timeout: nil,
            trigger: "schedule", callerUID: schedule.callerUID, callerToken: schedule.callerToken, callerTokenID: schedule.callerTokenID,
            scheduleID: schedule.id,
            onRecorded: { signal.started($0) })
        let task = Task { [runs] in
            do {
                _ = try await runs.run(request)
            } catch {
                signal.failed(error)
            }
        }
        return .run(id: try await signal.runID(), task: task)
    }

    /// Records a batch over the lines of the file at `path` and starts it.
    private func startBatch(of schedule: ScheduleRecord, path: String, at date: Date) throws -> FireWork {
        let skill = try runs.resolveSkill(schedule.skill)
        let items = try BatchInputFile.items(path: path, uid: schedule.callerUID ?? getuid(), gid: schedule.callerGID ?? getgid())
        guard !items.isEmpty else { throw ServiceError.invalidParams("the input file \(path) has no items") }
        let batch = try registry.createBatch(NewBatch(
            skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256,
            parallelism: schedule.parallelism, maximumRetries: 2, callerUID: schedule.callerUID,
            callerToken: schedule.callerToken, callerTokenID: schedule.callerTokenID, createdAt: date,
            inputs: items.map { $0.serialized() }, scheduleID: schedule.id))
        batches.start(batch)
        return .batch(id: batch.id)
    }

    /// The work of earlier fires of schedule `id` that has not ended; forgets the rest.
    private func unfinishedWork(of id: Int64) async -> [FireWork] {
        let unfinished = (work[id] ?? []).filter { work in
            switch work {
            case let .run(runID, _): (try? registry.run(id: runID))?.status.isFinal == false
            case let .batch(batchID): (try? registry.batch(id: batchID))?.isFinished == false
            }
        }
        work[id] = unfinished.isEmpty ? nil : unfinished
        return unfinished
    }

    /// Cancels `previous` and waits until it has stopped.
    private func cancel(_ previous: [FireWork]) async {
        for work in previous {
            switch work {
            case let .run(_, task):
                task.cancel()
                await task.value
            case let .batch(id):
                _ = try? batches.cancel(id: id)
                await batches.waitForIdle(id: id)
            }
        }
    }

    /// The parsed expression and zone of `schedule`; nil (logged) when either no longer parses.
    private func plan(for schedule: ScheduleRecord) -> (expression: CronExpression, timeZone: TimeZone)? {
        do {
            return (try CronExpression(schedule.cron), try CronTimeZone.named(schedule.timeZone))
        } catch {
            logger.error("a schedule's cron expression or time zone no longer parses; it does not fire",
                         ["schedule_id": .int(schedule.id), "error": .string("\(error)")])
            return nil
        }
    }

    /// Performs a registry call, reporting its failure as ``ScheduleFailure/registry(_:)``.
    private func registryCall<Value>(_ call: () throws(RegistryError) -> Value) throws(ScheduleFailure) -> Value {
        do {
            return try call()
        } catch {
            throw .registry(error.description)
        }
    }

    /// `run 12`, `batch 3`, for messages.
    private static func describe(_ work: [FireWork]) -> String {
        work.map { work in
            switch work {
            case let .run(id, _): "run \(id)"
            case let .batch(id): "batch \(id)"
            }
        }.joined(separator: ", ")
    }
}

import Foundation
import InferenceDriver
import JSON
import Logging
import Registry
import SkillRuntime
import SkillhostModel
import Synchronization
import SystemCalls

/// What a caller asks to run.
public struct RunRequest: Sendable {
    /// `name` or `name@version`.
    public var skill: String
    /// The input, sent to the skill as JSON text.
    public var input: JSONValue
    /// The model for the skill's inference calls; nil: the configured default.
    public var model: String?
    /// The deadline; nil: the configured default.
    public var timeout: Duration?
    /// Who started the run: `rpc`, `schedule`, `batch`.
    public var trigger: String
    /// The uid of the client that asked, from SO_PEERCRED.
    public var callerUID: UInt32?
    /// The pid of the client that asked, from SO_PEERCRED; nil for a run no client asked for.
    public var callerPID: Int32?
    /// The name of the token of the client that asked over HTTP (or of the batch's or the
    /// schedule's); nil for a client of the socket.
    public var callerToken: String?
    /// That token's id: what owns the run.
    public var callerTokenID: Int64?
    /// The batch whose item the run is an attempt of, for trigger `batch`.
    public var batchID: Int64?
    /// The index of that item in its batch.
    public var batchItem: Int?
    /// The schedule whose fire asked for the run, for trigger `schedule`.
    public var scheduleID: Int64?
    /// The run whose input this one runs again, for trigger `replay`.
    public var replayOf: Int64?
    /// Called once the run is recorded, before the skill starts: how a caller that does not
    /// wait for the run's end learns its id.
    public var onRecorded: (@Sendable (RunRecord) -> Void)?
    /// Where the run's output chunks and log lines go as they happen (see
    /// ``Invocation/events``); nil: they are only recorded.
    public var events: (@Sendable (RunEvent) -> Void)?

    /// Creates a request.
    public init(skill: String, input: JSONValue, model: String?, timeout: Duration?, trigger: String, callerUID: UInt32?,
                callerPID: Int32? = nil, callerToken: String? = nil, callerTokenID: Int64? = nil, batchID: Int64? = nil,
                batchItem: Int? = nil, scheduleID: Int64? = nil, replayOf: Int64? = nil,
                onRecorded: (@Sendable (RunRecord) -> Void)? = nil, events: (@Sendable (RunEvent) -> Void)? = nil) {
        self.skill = skill
        self.input = input
        self.model = model
        self.timeout = timeout
        self.trigger = trigger
        self.callerUID = callerUID
        self.callerPID = callerPID
        self.callerToken = callerToken
        self.callerTokenID = callerTokenID
        self.batchID = batchID
        self.batchItem = batchItem
        self.scheduleID = scheduleID
        self.replayOf = replayOf
        self.onRecorded = onRecorded
        self.events = events
    }
}

/// Runs skills and records every run: the one path that RPC calls, and later schedules and
/// batches, go through. A run is recorded as `running` before the skill starts and gets
/// its final state once, when the invocation ends; the caller is answered after that
/// final state is committed. Both records are written by the registry's group commit
/// (``Registry/recordRun(_:)``): a run's task is suspended meanwhile, never a pool thread blocked.
public final class RunService: Sendable {
    private let registry: Registry
    private let runner: IsolatingRunner
    /// The settings in force: each run reads its deadlines and the limit of runs at its start.
    private let configuration: LiveConfiguration
    private let logger: Logger
    /// The models runs may name; nil: a run's model is passed on unchecked.
    private let inference: InferenceRouter?
    /// Where the runs that end are counted; nil: nowhere.
    private let metrics: DaemonMetrics?
    private let runsInFlight = Atomic<Int>(0)
    /// The runs recorded and not yet ended, by id, each with its journal. A `Mutex`: it is
    /// changed twice per run and read whole, by tasks of any thread, never across a suspension.
    private let activeRunTable = Mutex<[Int64: (run: ActiveRun, journal: RunJournal)]>([:])
    /// The ids of the detached runs in flight (``start(_:)``): what the daemon's stop waits
    /// for and then cancels. A `Mutex` for the same reasons as the table's.
    private let detachedRuns = Mutex<Set<Int64>>([])
    private let shuttingDown = Atomic<Bool>(false)
    /// Each skill's gate for new runs and its counters since the daemon started.
    public let activity: SkillActivity

    /// Creates the service; `inference` checks the model each run names, and gives the
    /// default model of runs that name none; `metrics` counts the runs that end.
    public init(registry: Registry, runner: IsolatingRunner, configuration: LiveConfiguration, logger: Logger,
                inference: InferenceRouter? = nil, metrics: DaemonMetrics? = nil, activity: SkillActivity = SkillActivity()) {
        self.metrics = metrics
        self.activity = activity
        self.registry = registry
        self.runner = runner
        self.configuration = configuration
        self.logger = logger
        self.inference = inference
    }

    /// Runs in flight now.
    public var activeRuns: Int { runsInFlight.load(ordering: .relaxed) }

    /// The runs recorded and not yet ended, oldest first.
    public var runsInProgress: [ActiveRun] {
        activeRunTable.withLock { $0.values.map(\.run) }.sorted { $0.runID < $1.runID }
    }

    /// The journal of run `id` while it is in flight: its events so far, to follow, wait
    /// for its end and cancel it by; nil once it has ended (its record says how).
    public func journal(of id: Int64) -> RunJournal? {
        activeRunTable.withLock { $0[id]?.journal }
    }

    /// Starts a detached run: records it and returns its record (`running`) once it is
    /// recorded, while the run goes on in a task of its own, whoever asked for it, until it
    /// ends, it is cancelled (``RunJournal/cancel()``) or the daemon stops
    /// (``shutDownDetachedRuns(grace:)``).
    /// - Throws: as ``run(_:)``, when no run could be started.
    public func start(_ request: RunRequest) async throws(ServiceError) -> RunRecord {
        let started: Result<RunRecord, ServiceError> = await withCheckedContinuation { continuation in
            let answer = Mutex<CheckedContinuation<Result<RunRecord, ServiceError>, Never>?>(continuation)
            var run = request
            let recordedID = Mutex<Int64?>(nil)
            run.onRecorded = { record in
                recordedID.withLock { $0 = record.id }
                self.detachedRuns.withLock { _ = $0.insert(record.id) }
                request.onRecorded?(record)
                answer.withLock { $0.take() }?.resume(returning: .success(record))
            }
            Task {
                do throws(ServiceError) {
                    _ = try await self.run(run)
                } catch {
                    answer.withLock { $0.take() }?.resume(returning: .failure(error))
                }
                if let id = recordedID.withLock({ $0 }) { _ = self.detachedRuns.withLock { $0.remove(id) } }
            }
        }
        return try started.get()
    }

    /// Gives the detached runs in flight up to `grace` to end, then cancels the rest, which
    /// are recorded `interrupted` (after ``beginShutdown()``), and waits for their records.
    public func shutDownDetachedRuns(grace: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while !detachedRuns.withLock({ $0.isEmpty }), clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for id in detachedRuns.withLock({ $0 }) { journal(of: id)?.cancel() }
        while !detachedRuns.withLock({ $0.isEmpty }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// From now on, a cancelled run is recorded as `interrupted` (the daemon is going
    /// down), and new runs are refused.
    public func beginShutdown() {
        shuttingDown.store(true, ordering: .sequentiallyConsistent)
    }

    /// Refuses a run deadline longer than the daemon's `max_run_timeout_ms`, with `data`
    /// that lets a client say it in its own terms: `param` (`timeout_ms`), `limit_ms` and
    /// `setting` (`max_run_timeout_ms`).
    public func checkTimeout(_ timeout: Duration) throws(ServiceError) {
        let maximum = configuration.current.maximumRunTimeout
        let limit = maximum.wholeMilliseconds
        guard timeout <= maximum else {
            throw ServiceError(
                .invalidParams,
                "timeout_ms \(timeout.wholeMilliseconds) is longer than this daemon's limit of \(limit) ms (its setting max_run_timeout_ms)",
                extra: ["param": "timeout_ms", "limit_ms": .int(limit), "setting": "max_run_timeout_ms"])
        }
    }

    /// Runs a skill to its end and returns the run's final record; a run that failed is
    /// returned, not thrown. Throws only when no run could be started: among others
    /// `skill_disabled` for a skill that is disabled or draining.
    public func run(_ request: RunRequest) async throws(ServiceError) -> RunRecord {
        guard !shuttingDown.load(ordering: .sequentiallyConsistent) else {
            throw ServiceError(.overloaded, "skillhostd is shutting down; retry once it is back")
        }
        let configuration = self.configuration.current
        let timeout = request.timeout ?? configuration.defaultRunTimeout
        try checkTimeout(timeout)
        let model = try resolveModel(request.model)
        let skill = try resolveSkill(request.skill)
        let path: String
        do {
            path = try registry.storedFilePath(sha256: skill.sha256)
        } catch {
            throw .internal("the stored file of \(skill.name)@\(skill.version) cannot be found: \(error)")
        }

        let inFlight = runsInFlight.add(1, ordering: .relaxed).newValue
        defer { runsInFlight.subtract(1, ordering: .relaxed) }
        guard inFlight <= configuration.maximumConcurrentRuns else {
            throw ServiceError(.overloaded, "\(configuration.maximumConcurrentRuns) runs are in flight, the most this daemon allows (max_concurrent_runs): retry later")
        }
        // Admitted under the lock that skills.disable and skills.drain close the gate with;
        // a run refused before this point is counted nowhere.
        try activity.admit(skill)
        var ended: (succeeded: Bool, duration: Duration?) = (false, nil)
        defer { activity.end(SkillActivity.Key(skill), succeeded: ended.succeeded, duration: ended.duration) }

        let inputText = request.input.serialized()
        let started = Date()
        let record: RunRecord
        do {
            record = try await registry.recordRun(NewRun(
                skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256,
                input: inputText, model: model, trigger: request.trigger, callerUID: request.callerUID,
                callerToken: request.callerToken, callerTokenID: request.callerTokenID,
                status: .running, createdAt: started, startedAt: started,
                batchID: request.batchID, batchItem: request.batchItem, scheduleID: request.scheduleID,
                replayOf: request.replayOf))
        } catch {
            throw .internal("cannot record the run in the registry: \(error)")
        }
        let journal = RunJournal()
        activeRunTable.withLock { table in
            table[record.id] = (ActiveRun(
                runID: record.id, skill: skill.name, version: skill.version, model: model, trigger: request.trigger,
                startedAt: started, callerUID: request.callerUID, callerPID: request.callerPID,
                callerToken: request.callerToken, batchID: request.batchID,
                scheduleID: request.scheduleID), journal)
        }
        defer { _ = activeRunTable.withLock { $0.removeValue(forKey: record.id) } }
        request.onRecorded?(record)

        let events = request.events
        let invocation = Invocation(
            input: Array(inputText.utf8), model: model, timeout: timeout,
            events: { event in
                journal.record(event)
                events?(event)
            },
            owner: InvocationOwner(skill: "\(skill.name)@\(skill.version)", runID: record.id))
        let clock = ContinuousClock()
        let begin = clock.now
        // The invocation runs in a task of its own, which `runs.cancel` cancels through the
        // journal as the caller's cancellation does: both trap it and kill a worker running it.
        let runner = self.runner
        let invocationTask = Task { await runner.run(skill, path: path, invocation: invocation) }
        journal.started { invocationTask.cancel() }
        let report = await withTaskCancellationHandler {
            await invocationTask.value
        } onCancel: {
            invocationTask.cancel()
        }
        let duration = clock.now - begin
        if skill.isolation == .inprocess, case .failure = report.outcome { warnIfStuck(record) }

        do {
            let finished = try await finish(record, report: report, duration: duration,
                                            cancelledByRequest: journal.wasCancelled)
            ended = (finished.status == .succeeded, duration)
            journal.finish(finished)
            return finished
        } catch {
            journal.finish(nil)
            throw error
        }
    }

    /// Logs a warning when the in-process skill thread of `record`, a run that just ended,
    /// still runs the skill's code: nothing can stop it, and `host.status` lists it.
    private func warnIfStuck(_ record: RunRecord) {
        guard let stuck = runner.inProcess.stuckThreads.first(where: { $0.owner?.runID == record.id }) else { return }
        logger.warning("an in-process skill's thread still runs after its run ended; nothing can stop it until the skill "
            + "returns (it runs at nice 19 meanwhile; `skillctl status` lists it): run untrusted skills in process isolation", [
            "run_id": .int(record.id), "skill": .string("\(record.skillName)@\(record.skillVersion)"),
            "thread_id": stuck.threadID.map { .int(Int64($0)) } ?? .null, "priority_lowered": .bool(stuck.priorityLowered),
        ])
    }

    /// Records the run's final state; the registry writes it by group commit with the other
    /// runs ending now, and the caller is answered once it is committed.
    /// A run cancelled by `runs.cancel` (`cancelledByRequest`) says so, not that its caller went away.
    private func finish(_ record: RunRecord, report: InvocationReport, duration: Duration,
                        cancelledByRequest: Bool) async throws(ServiceError) -> RunRecord {
        var completion = RunCompletion(
            status: .succeeded, output: nil, errorKind: nil, errorMessage: nil, usage: report.usage,
            finishedAt: Date(), duration: duration, logs: report.logs)
        switch report.outcome {
        case let .success(output):
            completion.output = output
        case let .failure(failure):
            if case .cancelled = failure, shuttingDown.load(ordering: .sequentiallyConsistent) {
                completion.status = .interrupted
                completion.errorKind = .interrupted
                completion.errorMessage = "skillhostd shut down before the run finished"
            } else if case .cancelled = failure, cancelledByRequest {
                completion.status = .cancelled
                completion.errorKind = .cancelled
                completion.errorMessage = "the run was cancelled by runs.cancel (skillctl runs cancel)"
            } else {
                completion.status = failure.runStatus
                completion.errorKind = failure.kind
                completion.errorMessage = failure.description
            }
        }
        do {
            let finished = try await registry.recordRunEnd(id: record.id, with: completion)
            metrics?.recordRun(finished, duration: duration, usage: report.usage)
            // Every run is in the registry (`skillctl runs`); the log repeats the ones that
            // failed, and the others only at debug level: a line per run was 6% of the CPU
            // of a noop run (skillbench).
            logger.log(finished.status == .succeeded ? .debug : .info, "run finished", [
                "run_id": .int(finished.id), "skill": .string(finished.skillName), "status": .string(finished.status.rawValue),
                "duration_ms": .double(duration.milliseconds),
            ])
            return finished
        } catch {
            throw .internal("cannot record the end of run \(record.id): \(error)")
        }
    }

    /// The model a run that asks for `requested` runs with: `requested` when a router
    /// serves it, the default model when it names none (nil when there is none: the run
    /// fails only if the skill calls inference).
    /// - Throws: `invalid_params` for a model no endpoint serves, listing the known ones.
    func resolveModel(_ requested: String?) throws(ServiceError) -> String? {
        guard let inference else { return requested }
        guard let requested else { return inference.defaultModel }
        do {
            return try inference.resolveModel(requested)
        } catch {
            throw .invalidParams(error.description)
        }
    }

    /// Finds the installed skill `name` or `name@version`.
    package func resolveSkill(_ reference: String) throws(ServiceError) -> SkillRecord {
        let (name, version) = Self.split(reference)
        let found: SkillRecord?
        do {
            found = try registry.skill(named: name, version: version)
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
        guard let found else {
            let installed = (try? registry.skills().map { "\($0.name)@\($0.version)" }) ?? []
            let known = installed.isEmpty ? "no skills are installed" : "installed: \(installed.joined(separator: ", "))"
            throw ServiceError(.notFound, "no skill \(reference) is installed (\(known)): install it with `skillctl install PATH`")
        }
        return found
    }

    /// Splits `name@version` into its parts.
    package static func split(_ reference: String) -> (name: String, version: String?) {
        guard let at = reference.firstIndex(of: "@") else { return (reference, nil) }
        return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
    }
}

import Foundation
import JSON
import Logging
import Registry
import SkillhostModel
import Synchronization
import SystemCalls

/// Runs the items of batches through the ``RunService`` (trigger `batch`), as many at once as
/// each batch's parallelism says, retrying the failures that can pass (see
/// ``BatchRetryPolicy``).
///
/// The registry holds every step: an item is claimed (running, attempt counted) in one
/// transaction and ends in another, so a daemon killed at any moment loses nothing: at the
/// next start ``resumeUnfinishedBatches()`` puts the items that were running back to pending
/// (their runs were recorded `interrupted`) and the batches go on, and every item still
/// ends exactly once, as done or failed.
public final class BatchRunner: Sendable {
    private let registry: Registry
    private let runs: RunService
    private let policy: BatchRetryPolicy
    private let logger: Logger
    /// Where the attempts at items are counted; nil: nowhere.
    private let metrics: DaemonMetrics?
    /// The task driving each batch this daemon is running, by batch id. A `Mutex`: the
    /// table is touched briefly from RPC handlers and from the tasks themselves, and never
    /// across an `await`.
    private let active = Mutex<[Int64: Task<Void, Never>]>([:])
    private let stopping = Atomic<Bool>(false)

    /// Creates a runner that starts runs through `runs` and counts its attempts in `metrics`.
    public init(registry: Registry, runs: RunService, policy: BatchRetryPolicy = BatchRetryPolicy(), logger: Logger,
                metrics: DaemonMetrics? = nil) {
        self.metrics = metrics
        self.registry = registry
        self.runs = runs
        self.policy = policy
        self.logger = logger
    }

    /// Starts running `batch` in the background; does nothing when it is already running here.
    public func start(_ batch: BatchRecord) {
        guard !stopping.load(ordering: .sequentiallyConsistent) else { return }
        active.withLock { tasks in
            guard tasks[batch.id] == nil else { return }
            tasks[batch.id] = Task { [self] in
                await drive(batch)
                _ = active.withLock { $0.removeValue(forKey: batch.id) }
            }
        }
    }

    /// Goes on with every batch a stopped daemon left unfinished (see
    /// ``Registry/resumeUnfinishedBatches(at:)``). Call it once at start-up, after the runs
    /// left unfinished were recorded as interrupted.
    ///
    /// - Returns: The ids of the batches resumed.
    @discardableResult
    public func resumeUnfinishedBatches() throws(RegistryError) -> [Int64] {
        let ids = try registry.resumeUnfinishedBatches(at: Date())
        for id in ids {
            if let batch = try registry.batch(id: id) { start(batch) }
        }
        return ids
    }

    /// Cancels batch `id`: no new item starts, runs in flight are cancelled, and the items
    /// that had not ended are recorded as cancelled.
    ///
    /// - Returns: The batch as now stored, or `nil` when there is no such batch.
    public func cancel(id: Int64) throws(RegistryError) -> BatchRecord? {
        guard let batch = try registry.cancelBatch(id: id, at: Date()) else { return nil }
        active.withLock { $0[id] }?.cancel()
        return batch
    }

    /// Waits until this daemon's work on batch `id` has stopped (at once when none runs).
    public func waitForIdle(id: Int64) async {
        await active.withLock { $0[id] }?.value
    }

    /// Starts no new item from now on, as the daemon does when it begins to shut down; the
    /// runs in flight go on.
    public func beginShutdown() {
        stopping.store(true, ordering: .sequentiallyConsistent)
    }

    /// Starts no new item, gives the runs in flight `grace` to finish, then cancels the
    /// rest, and returns once every item is recorded (a cancelled run is `interrupted` once
    /// the ``RunService`` is shutting down, so its item is pending again, for the next start).
    public func shutDown(grace: Duration) async {
        beginShutdown()
        let tasks = active.withLock { Array($0.values) }
        let deadline = Task {
            guard (try? await Task.sleep(for: grace)) != nil else { return }
            for task in tasks { task.cancel() }
        }
        for task in tasks { await task.value }
        deadline.cancel()
    }

    /// Runs the batch's items with its parallelism until none is pending or it is stopped.
    private func drive(_ batch: BatchRecord) async {
        logger.info("batch running", ["batch_id": .int(batch.id), "skill": .string(batch.skillName),
                                      "parallelism": .int(Int64(batch.parallelism))])
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<batch.parallelism {
                group.addTask { [self] in await work(on: batch) }
            }
        }
        if let final = try? registry.batch(id: batch.id), final.isFinished {
            logger.info("batch finished", [
                "batch_id": .int(batch.id), "status": .string(final.status.rawValue),
                "done": .int(Int64(final.counts.done)), "failed": .int(Int64(final.counts.failed)),
                "cancelled": .int(Int64(final.counts.cancelled)),
            ])
        }
    }

    /// One lane of a batch: claims the next item that may run, runs it, records how it
    /// ended; until nothing is pending, the batch is cancelled, or the daemon stops.
    private func work(on batch: BatchRecord) async {
        while !Task.isCancelled, !stopping.load(ordering: .sequentiallyConsistent) {
            let claim: BatchClaim
            do {
                claim = try await registry.claimBatchItem(batchID: batch.id, at: Date())
            } catch {
                logger.error("cannot claim the next item of a batch; its lane stops until the daemon restarts",
                             ["batch_id": .int(batch.id), "error": .string("\(error)")])
                return
            }
            switch claim {
            case .nothingPending:
                return
            case let .notBefore(date):
                let wait = max(date.timeIntervalSinceNow, 0.001)
                do {
                    try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
                } catch {
                    return
                }
            case let .claimed(item):
                await attempt(item, of: batch)
            }
        }
    }

    /// Runs one attempt of `item` and records how it ended.
    private func attempt(_ item: BatchItemRecord, of batch: BatchRecord) async {
        let request = RunRequest(
            skill: "\(batch.skillName)@\(batch.skillVersion)",
            input: (try? JSONValue(parsing: item.input)) ?? .string(item.input),
            model: batch.model, timeout: batch.timeoutMilliseconds.map { .milliseconds($0) },
            trigger: batch.scheduleID == nil ? "batch" : "schedule", callerUID: batch.callerUID,
            callerToken: batch.callerToken, callerTokenID: batch.callerTokenID, batchID: batch.id,
            batchItem: item.index, scheduleID: batch.scheduleID)
        let outcome: BatchAttemptOutcome
        let runID: Int64?
        do {
            let run = try await runs.run(request)
            runID = run.id
            outcome = self.outcome(of: run, attempt: item.attempts, batch: batch)
        } catch {
            if error.kind == .overloaded {
                // The run never started (too many in flight, or the daemon is stopping):
                // the attempt does not count.
                await record { () async throws(RegistryError) in
                    try await registry.releaseBatchItem(
                        batchID: batch.id, index: item.index, notBefore: Date() + policy.delay(afterAttempt: 1).timeInterval)
                }
                return
            }
            runID = nil
            outcome = .failed(kind: error.kind, message: error.description)
        }
        metrics?.recordBatchAttempt(outcome)
        await record { () async throws(RegistryError) in
            try await registry.finishBatchAttempt(batchID: batch.id, index: item.index, runID: runID, outcome: outcome, at: Date())
        }
    }

    /// How an attempt whose run ended as `run` leaves its item.
    private func outcome(of run: RunRecord, attempt: Int, batch: BatchRecord) -> BatchAttemptOutcome {
        if run.status == .succeeded {
            return .succeeded(output: run.output ?? "")
        }
        let kind = run.errorKind ?? run.status.impliedErrorKind ?? .skillFailed
        let message = run.errorMessage ?? "run \(run.id) ended as \(run.status.rawValue)"
        if run.status == .cancelled {
            return .cancelled(kind: kind, message: message)
        }
        // An interrupted attempt is retried whatever the retries left: the daemon stopped,
        // the item did not fail.
        if run.status == .interrupted || (policy.isRetryable(kind) && attempt <= batch.maximumRetries) {
            return .retry(kind: kind, message: message, notBefore: Date() + policy.delay(afterAttempt: attempt).timeInterval)
        }
        return .failed(kind: kind, message: message)
    }

    /// Performs a registry write, logging a failure: the item then stays running until the
    /// next start puts it back to pending, so nothing is lost.
    private func record(_ write: () async throws(RegistryError) -> Void) async {
        do {
            try await write()
        } catch {
            logger.error("cannot record the state of a batch item; the next start of the daemon will retry it",
                         ["error": .string("\(error)")])
        }
    }
}

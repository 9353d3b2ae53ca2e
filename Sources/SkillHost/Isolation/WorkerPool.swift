import Dispatch
import Glibc
import Synchronization

/// Worker processes per skill (by content hash): loaded, idle workers reused across runs,
/// a few started ahead of demand, and a limit on how many run at once.
///
/// A worker serves one run at a time: it is checked out by ``acquire(sha256:path:)`` and
/// comes back with ``release(_:sha256:reusable:)``. So `SKILL_FLAG_SERIAL` holds by
/// construction: no worker ever has two `run` calls in flight. Workers are reused
/// most-recently-used first, which keeps the fewest of them warm.
///
/// - Pre-spawning: after each acquire and release, ``ProcessIsolationSettings/poolSize``
///   idle (or loading) workers are made ready in the background, so the next run does not
///   pay for a spawn; a run that finds none spawns its own.
/// - Idle timeout: a worker idle for ``ProcessIsolationSettings/idleTimeout`` gets
///   `shutdown`.
/// - A worker that crashed, was killed, or whose run was trapped is never reused.
final class WorkerPool: Sendable {
    private struct IdleWorker {
        let worker: WorkerProcess
        /// Identifies this stay in the idle list, for its expiry timer.
        let ticket: UInt64
    }

    private struct SkillWorkers {
        var path: String
        var idle: [IdleWorker] = []
        /// Workers checked out by runs, or loading for one.
        var busy = 0
        /// Workers loading in the background for the pool.
        var warming = 0
        /// Runs waiting for a worker, in arrival order.
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        /// Evicted: workers that come back are shut down, none are started ahead of demand.
        var retiring = false

        var total: Int { idle.count + busy + warming }
    }

    private struct State {
        var skills: [String: SkillWorkers] = [:]
        /// Every worker the pool started and has not let go of, to kill them all at the end.
        var live: [pid_t: WorkerProcess] = [:]
        /// Waiters whose task was cancelled before they started waiting.
        var cancelledWaiters: Set<UInt64> = []
        var nextTicket: UInt64 = 0
        var closed = false
    }

    private let settings: ProcessIsolationSettings
    private let state = Mutex(State())

    /// Creates an empty pool.
    init(settings: ProcessIsolationSettings) {
        self.settings = settings
    }

    // MARK: Runs

    /// A loaded worker of the skill, checked out for one run: an idle one, or a new one when
    /// fewer than the limit exist, or the first to come back. Ends with a failure when the
    /// worker cannot be loaded (or the calling task is cancelled).
    func acquire(sha256: String, path: String) async -> Result<WorkerProcess, InvocationFailure> {
        defer { replenish(sha256: sha256) }
        while true {
            enum Step { case take(WorkerProcess), spawn, wait(UInt64), closed }
            let step = state.withLock { state -> Step in
                guard !state.closed else { return .closed }
                var skill = state.skills[sha256] ?? SkillWorkers(path: path)
                skill.path = path
                skill.retiring = false
                defer { state.skills[sha256] = skill }
                while let idle = skill.idle.popLast() {
                    if idle.worker.hasEnded {
                        state.live[idle.worker.pid] = nil
                        continue
                    }
                    skill.busy += 1
                    return .take(idle.worker)
                }
                if skill.total < settings.maximumWorkersPerSkill {
                    skill.busy += 1
                    return .spawn
                }
                state.nextTicket += 1
                return .wait(state.nextTicket)
            }
            switch step {
            case .closed:
                return .failure(.cancelled(reason: "skillhostd is shutting down"))
            case let .take(worker):
                return .success(worker)
            case .spawn:
                let launched = await launch(path: path, timeout: nil)
                if case .failure = launched {
                    let waiter = state.withLock { state in
                        state.skills[sha256]?.busy -= 1
                        return state.skills[sha256]?.waiters.isEmpty == false ? state.skills[sha256]?.waiters.removeFirst() : nil
                    }
                    waiter?.continuation.resume()
                }
                return launched
            case let .wait(id):
                await waitForWorker(sha256: sha256, id: id)
                if Task.isCancelled {
                    return .failure(.cancelled(reason: "the run ended while it waited for a worker"))
                }
            }
        }
    }

    /// Hands a worker back after its run: idle for the next run when `reusable` and alive,
    /// killed otherwise.
    func release(_ worker: WorkerProcess, sha256: String, reusable: Bool) {
        let keep = reusable && !worker.hasEnded
        if keep {
            worker.setEventHandler { [weak self, weak worker] event in
                guard let self, let worker else { return }
                self.idleWorkerEvent(event, worker: worker, sha256: sha256)
            }
        }
        let (waiter, ticket, shutDown) = state.withLock { state in
            guard var skill = state.skills[sha256] else {
                return (nil as CheckedContinuation<Void, Never>?, nil as UInt64?, true)
            }
            defer { state.skills[sha256] = skill }
            skill.busy -= 1
            let waiter = skill.waiters.isEmpty ? nil : skill.waiters.removeFirst().continuation
            guard keep, !skill.retiring, !state.closed else {
                state.live[worker.pid] = nil
                return (waiter, nil, true)
            }
            state.nextTicket += 1
            skill.idle.append(IdleWorker(worker: worker, ticket: state.nextTicket))
            return (waiter, state.nextTicket, false)
        }
        if shutDown {
            if keep { worker.shutDown() } else { worker.kill() }
        }
        if let ticket { scheduleExpiry(sha256: sha256, ticket: ticket) }
        waiter?.resume()
        replenish(sha256: sha256)
    }

    private func waitForWorker(sha256: String, id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelledEarly = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil || state.closed { return true }
                    state.skills[sha256]?.waiters.append((id, continuation))
                    return false
                }
                if cancelledEarly { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let index = state.skills[sha256]?.waiters.firstIndex(where: { $0.id == id }) {
                    return state.skills[sha256]?.waiters.remove(at: index).continuation
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    // MARK: Idle workers

    private func idleWorkerEvent(_ event: WorkerEvent, worker: WorkerProcess, sha256: String) {
        switch event {
        case .message:
            // An idle worker has nothing to say: it broke the protocol.
            worker.kill()
        case .ended:
            state.withLock { state in
                state.skills[sha256]?.idle.removeAll { $0.worker === worker }
                state.live[worker.pid] = nil
            }
        }
    }

    private func scheduleExpiry(sha256: String, ticket: UInt64) {
        DispatchQueue.global().asyncAfter(deadline: .now() + settings.idleTimeout.dispatchInterval) { [weak self] in
            guard let self else { return }
            let expired = state.withLock { state -> WorkerProcess? in
                guard let index = state.skills[sha256]?.idle.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                let worker = state.skills[sha256]!.idle.remove(at: index).worker
                state.live[worker.pid] = nil
                return worker
            }
            expired?.shutDown()
        }
    }

    /// Starts workers in the background until the skill has ``ProcessIsolationSettings/poolSize``
    /// idle or loading ones (within the per-skill limit).
    private func replenish(sha256: String) {
        let (path, count) = state.withLock { state -> (String, Int) in
            guard !state.closed, var skill = state.skills[sha256], !skill.retiring else { return ("", 0) }
            let count = max(0, min(settings.poolSize - skill.idle.count - skill.warming,
                                   settings.maximumWorkersPerSkill - skill.total))
            skill.warming += count
            state.skills[sha256] = skill
            return (skill.path, count)
        }
        for _ in 0..<count {
            Task { await warmUp(sha256: sha256, path: path) }
        }
    }

    private func warmUp(sha256: String, path: String) async {
        let launched = await launch(path: path, timeout: settings.backgroundLoadTimeout)
        guard case let .success(worker) = launched else {
            // A skill that cannot load is not retried in the background; the next run
            // reports why.
            state.withLock { state in state.skills[sha256]?.warming -= 1 }
            return
        }
        worker.setEventHandler { [weak self, weak worker] event in
            guard let self, let worker else { return }
            self.idleWorkerEvent(event, worker: worker, sha256: sha256)
        }
        let (waiter, ticket) = state.withLock { state in
            guard var skill = state.skills[sha256], !skill.retiring, !state.closed else {
                state.skills[sha256]?.warming -= 1
                state.live[worker.pid] = nil
                return (nil as CheckedContinuation<Void, Never>?, nil as UInt64?)
            }
            defer { state.skills[sha256] = skill }
            skill.warming -= 1
            state.nextTicket += 1
            skill.idle.append(IdleWorker(worker: worker, ticket: state.nextTicket))
            return (skill.waiters.isEmpty ? nil : skill.waiters.removeFirst().continuation, state.nextTicket)
        }
        guard let ticket else {
            worker.shutDown()
            return
        }
        scheduleExpiry(sha256: sha256, ticket: ticket)
        waiter?.resume()
    }

    // MARK: Starting a worker

    /// Spawns a worker and loads the skill at `path` in it; kills it if the calling task is
    /// cancelled or `timeout` passes first.
    private func launch(path: String, timeout: Duration?) async -> Result<WorkerProcess, InvocationFailure> {
        let handshake = LoadHandshake()
        let settings = self.settings
        let spawned = await SpawnThread.shared.run { () -> Result<WorkerProcess, WorkerSpawnError> in
            do throws(WorkerSpawnError) {
                return .success(try WorkerProcess.spawn(
                    executable: settings.workerExecutable, memoryLimitBytes: settings.memoryLimitBytes,
                    handler: handshake.handle))
            } catch {
                return .failure(error)
            }
        }
        let worker: WorkerProcess
        switch spawned {
        case let .success(started):
            worker = started
        case let .failure(error):
            return .failure(.loadFailed(message: error.description))
        }
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.live[worker.pid] = worker
            return true
        }
        guard admitted else {
            worker.kill()
            return .failure(.cancelled(reason: "skillhostd is shutting down"))
        }
        handshake.attach(worker)
        worker.send(.load(path: path))
        let timer = timeout.map { timeout in
            let item = DispatchWorkItem { [weak worker] in worker?.kill() }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval, execute: item)
            return item
        }
        defer { timer?.cancel() }
        let loaded = await withTaskCancellationHandler {
            await handshake.result()
        } onCancel: {
            worker.kill()
        }
        if case .failure = loaded {
            worker.kill()
            state.withLock { state in state.live[worker.pid] = nil }
        }
        return loaded
    }

    // MARK: Eviction and shutdown

    /// Shuts the skill's idle workers down; workers busy with a run are shut down when they
    /// come back, unless the skill runs again first.
    func evict(sha256: String) {
        let idle = state.withLock { state -> [WorkerProcess] in
            guard var skill = state.skills[sha256] else { return [] }
            let idle = skill.idle.map(\.worker)
            skill.idle = []
            skill.retiring = true
            for worker in idle { state.live[worker.pid] = nil }
            if skill.busy == 0 && skill.warming == 0 && skill.waiters.isEmpty {
                state.skills[sha256] = nil
            } else {
                state.skills[sha256] = skill
            }
            return idle
        }
        idle.forEach { $0.shutDown() }
    }

    /// Kills every worker and refuses new ones: the daemon is going down. (Workers also die
    /// with the daemon through `PR_SET_PDEATHSIG`.)
    func close() {
        let (workers, waiters) = state.withLock { state in
            state.closed = true
            let workers = Array(state.live.values)
            let waiters = state.skills.values.flatMap { $0.waiters.map(\.continuation) }
            state.live = [:]
            for key in Array(state.skills.keys) {
                state.skills[key]?.idle = []
                state.skills[key]?.waiters = []
            }
            return (workers, waiters)
        }
        workers.forEach { $0.kill() }
        waiters.forEach { $0.resume() }
    }

    /// The pids of the skill's idle workers, most recently used last (for tests).
    func idleWorkerPIDs(sha256: String) -> [pid_t] {
        state.withLock { $0.skills[sha256]?.idle.map(\.worker.pid) ?? [] }
    }

    /// The pids of every worker the pool holds, busy or idle.
    var livePIDs: [pid_t] {
        state.withLock { Array($0.live.keys) }
    }
}

/// The `load` → `loaded` | `load_failed` exchange with a new worker: its events until it
/// answers, and the task awaiting the answer.
private final class LoadHandshake: Sendable {
    private struct State {
        var worker: WorkerProcess?
        var outcome: Result<WorkerProcess, InvocationFailure>?
        var waiter: CheckedContinuation<Result<WorkerProcess, InvocationFailure>, Never>?
    }

    private let state = Mutex(State())

    /// The worker whose events this handshake receives.
    func attach(_ worker: WorkerProcess) {
        state.withLock { $0.worker = worker }
    }

    /// The worker's event handler while it loads.
    @Sendable func handle(_ event: WorkerEvent) {
        let failure: InvocationFailure?
        switch event {
        case .message(.loaded):
            failure = nil
        case let .message(.loadFailed(message)):
            failure = .loadFailed(message: message)
        case let .message(other):
            failure = .crashed(reason: "protocol violation: the worker sent \(other.name) instead of loaded or load_failed")
        case let .ended(exit):
            failure = .crashed(reason: "while loading the skill, " + exit.crashReason)
        }
        let (waiter, result) = state.withLock { state -> (CheckedContinuation<Result<WorkerProcess, InvocationFailure>, Never>?, Result<WorkerProcess, InvocationFailure>?) in
            guard state.outcome == nil else { return (nil, nil) }
            let outcome: Result<WorkerProcess, InvocationFailure>
            if let failure {
                outcome = .failure(failure)
            } else if let worker = state.worker.take() {
                outcome = .success(worker)
            } else {
                outcome = .failure(.crashed(reason: "protocol violation: the worker answered before it was asked to load"))
            }
            state.outcome = outcome
            // The worker holds this handshake as its handler: let go of it, no cycle remains.
            state.worker = nil
            return (state.waiter.take(), outcome)
        }
        if let waiter, let result { waiter.resume(returning: result) }
    }

    /// Waits for the answer.
    func result() async -> Result<WorkerProcess, InvocationFailure> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<WorkerProcess, InvocationFailure>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

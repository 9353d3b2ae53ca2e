import Dispatch
import Glibc
import Synchronization

/// Worker processes per skill (by content hash and memory limit): loaded, idle workers
/// reused across runs, a few started ahead of demand, and a limit on how many run at once.
///
/// A worker serves one run at a time: it is checked out by ``acquire(key:path:)`` and
/// comes back with ``release(_:key:reusable:)``. So `SKILL_FLAG_SERIAL` holds by
/// construction: no worker ever has two `run` calls in flight. Workers are reused
/// most-recently-used first, which keeps the fewest of them warm.
///
/// - Pre-spawning: ``prewarm(key:path:)`` (at daemon start and install), and after each
///   acquire and release, ``ProcessIsolationSettings/poolSize`` idle (or loading) workers
///   are made ready in the background, so no run, not even the first, pays for a spawn
///   when the pool keeps up; a run that finds none spawns its own.
/// - Memory limits: workers are pooled per ``Key``, so a worker started with one
///   `RLIMIT_AS` never serves a run that asks for another.
/// - Idle timeout: a worker idle for ``ProcessIsolationSettings/idleTimeout`` gets
///   `shutdown`.
/// - A worker that crashed, was killed, or whose run was trapped is never reused.
final class WorkerPool: Sendable {
    /// What makes workers interchangeable: the skill file and the limit they run under.
    struct Key: Hashable, Sendable {
        /// The content hash of the skill file.
        var sha256: String
        /// The workers' `RLIMIT_AS` in bytes; 0: none.
        var memoryLimitBytes: Int
    }

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
        var skills: [Key: SkillWorkers] = [:]
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
    func acquire(key: Key, path: String) async -> Result<WorkerProcess, InvocationFailure> {
        defer { replenish(key: key) }
        while true {
            enum Step { case take(WorkerProcess), spawn, wait(UInt64), closed }
            let step = state.withLock { state -> Step in
                guard !state.closed else { return .closed }
                var skill = state.skills[key] ?? SkillWorkers(path: path)
                skill.path = path
                skill.retiring = false
                defer { state.skills[key] = skill }
                while let idle = skill.idle.popLast() {
                    if idle.worker.hasEnded {
                        state.live[idle.worker.pid] = nil
                        continue
                    }
                    skill.busy += 1
                    return .take(idle.worker)
                }
                // A worker loading in the background is ready sooner than a new one: wait
                // for it, unless earlier runs wait for every one of them already.
                if skill.warming <= skill.waiters.count, skill.total < settings.maximumWorkersPerSkill {
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
                let launched = await launch(path: path, memoryLimitBytes: key.memoryLimitBytes, timeout: nil)
                if case .failure = launched {
                    let waiter = state.withLock { state in
                        state.skills[key]?.busy -= 1
                        return state.skills[key]?.waiters.isEmpty == false ? state.skills[key]?.waiters.removeFirst() : nil
                    }
                    waiter?.continuation.resume()
                }
                return launched
            case let .wait(id):
                await waitForWorker(key: key, id: id)
                if Task.isCancelled {
                    return .failure(.cancelled(reason: "the run ended while it waited for a worker"))
                }
            }
        }
    }

    /// Hands a worker back after its run: idle for the next run when `reusable` and alive,
    /// killed otherwise.
    func release(_ worker: WorkerProcess, key: Key, reusable: Bool) {
        let keep = reusable && !worker.hasEnded
        if keep {
            worker.setEventHandler { [weak self, weak worker] event in
                guard let self, let worker else { return }
                self.idleWorkerEvent(event, worker: worker, key: key)
            }
        }
        let (waiter, ticket, shutDown) = state.withLock { state in
            guard var skill = state.skills[key] else {
                return (nil as CheckedContinuation<Void, Never>?, nil as UInt64?, true)
            }
            defer { state.skills[key] = skill }
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
        if let ticket { scheduleExpiry(key: key, ticket: ticket) }
        waiter?.resume()
        replenish(key: key)
    }

    private func waitForWorker(key: Key, id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelledEarly = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil || state.closed { return true }
                    state.skills[key]?.waiters.append((id, continuation))
                    return false
                }
                if cancelledEarly { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let index = state.skills[key]?.waiters.firstIndex(where: { $0.id == id }) {
                    return state.skills[key]?.waiters.remove(at: index).continuation
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume()
        }
    }

    // MARK: Idle workers

    private func idleWorkerEvent(_ event: WorkerEvent, worker: WorkerProcess, key: Key) {
        switch event {
        case .message:
            // An idle worker has nothing to say: it broke the protocol.
            worker.kill()
        case .ended:
            state.withLock { state in
                state.skills[key]?.idle.removeAll { $0.worker === worker }
                state.live[worker.pid] = nil
            }
        }
    }

    private func scheduleExpiry(key: Key, ticket: UInt64) {
        DispatchQueue.global().asyncAfter(deadline: .now() + settings.idleTimeout.dispatchInterval) { [weak self] in
            guard let self else { return }
            let expired = state.withLock { state -> WorkerProcess? in
                guard let index = state.skills[key]?.idle.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                let worker = state.skills[key]!.idle.remove(at: index).worker
                state.live[worker.pid] = nil
                return worker
            }
            expired?.shutDown()
        }
    }

    /// Makes the pool of the skill at `path` ready ahead of its first run: starts
    /// ``ProcessIsolationSettings/poolSize`` workers in the background and returns at once.
    func prewarm(key: Key, path: String) {
        let known = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            var skill = state.skills[key] ?? SkillWorkers(path: path)
            skill.path = path
            skill.retiring = false
            state.skills[key] = skill
            return true
        }
        if known { replenish(key: key) }
    }

    /// Starts workers in the background until the skill has ``ProcessIsolationSettings/poolSize``
    /// idle or loading ones (within the per-skill limit).
    private func replenish(key: Key) {
        let (path, count) = state.withLock { state -> (String, Int) in
            guard !state.closed, var skill = state.skills[key], !skill.retiring else { return ("", 0) }
            let count = max(0, min(settings.poolSize - skill.idle.count - skill.warming,
                                   settings.maximumWorkersPerSkill - skill.total))
            skill.warming += count
            state.skills[key] = skill
            return (skill.path, count)
        }
        for _ in 0..<count {
            Task { await warmUp(key: key, path: path) }
        }
    }

    private func warmUp(key: Key, path: String) async {
        let launched = await launch(path: path, memoryLimitBytes: key.memoryLimitBytes, timeout: settings.backgroundLoadTimeout)
        guard case let .success(worker) = launched else {
            // A skill that cannot load is not retried in the background; a run waiting for
            // this worker starts its own, which reports why.
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.skills[key]?.warming -= 1
                return state.skills[key]?.waiters.isEmpty == false ? state.skills[key]?.waiters.removeFirst().continuation : nil
            }
            waiter?.resume()
            return
        }
        worker.setEventHandler { [weak self, weak worker] event in
            guard let self, let worker else { return }
            self.idleWorkerEvent(event, worker: worker, key: key)
        }
        let (waiter, ticket) = state.withLock { state in
            guard var skill = state.skills[key], !skill.retiring, !state.closed else {
                state.skills[key]?.warming -= 1
                state.live[worker.pid] = nil
                let waiter = state.skills[key]?.waiters.isEmpty == false ? state.skills[key]?.waiters.removeFirst().continuation : nil
                return (waiter, nil as UInt64?)
            }
            defer { state.skills[key] = skill }
            skill.warming -= 1
            state.nextTicket += 1
            skill.idle.append(IdleWorker(worker: worker, ticket: state.nextTicket))
            return (skill.waiters.isEmpty ? nil : skill.waiters.removeFirst().continuation, state.nextTicket)
        }
        guard let ticket else {
            worker.shutDown()
            waiter?.resume()
            return
        }
        scheduleExpiry(key: key, ticket: ticket)
        waiter?.resume()
    }

    // MARK: Starting a worker

    /// Spawns a worker and loads the skill at `path` in it; kills it if the calling task is
    /// cancelled or `timeout` passes first.
    private func launch(path: String, memoryLimitBytes: Int, timeout: Duration?) async -> Result<WorkerProcess, InvocationFailure> {
        let handshake = LoadHandshake()
        let settings = self.settings
        let spawned = await SpawnThread.shared.run { () -> Result<WorkerProcess, WorkerSpawnError> in
            do throws(WorkerSpawnError) {
                return .success(try WorkerProcess.spawn(
                    executable: settings.workerExecutable, memoryLimitBytes: memoryLimitBytes,
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

    /// Shuts the idle workers of the skill file down, whatever their memory limit; workers
    /// busy with a run are shut down when they come back, unless the skill runs again first.
    func evict(sha256: String) {
        let idle = state.withLock { state -> [WorkerProcess] in
            var idle: [WorkerProcess] = []
            for key in state.skills.keys where key.sha256 == sha256 {
                guard var skill = state.skills[key] else { continue }
                idle += skill.idle.map(\.worker)
                skill.idle = []
                skill.retiring = true
                if skill.busy == 0 && skill.warming == 0 && skill.waiters.isEmpty {
                    state.skills[key] = nil
                } else {
                    state.skills[key] = skill
                }
            }
            for worker in idle { state.live[worker.pid] = nil }
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

    /// The pids of the idle workers of the skill file, whatever their memory limit, most
    /// recently used last within each limit (for tests).
    func idleWorkerPIDs(sha256: String) -> [pid_t] {
        state.withLock { state in
            state.skills.filter { $0.key.sha256 == sha256 }.values.flatMap { $0.idle.map(\.worker.pid) }
        }
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

import Dispatch
import Glibc
import SkillRuntime
import SkillhostModel
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
/// - Memory limits and grants: workers are pooled per ``Key``, so a worker started with
///   one `RLIMIT_AS` or sandbox never serves a run that asks for another.
/// - Idle timeout: a worker idle for ``ProcessIsolationSettings/idleTimeout`` gets
///   `shutdown`.
/// - A worker that crashed, was killed, or whose run was trapped is never reused.
final class WorkerPool: Sendable {
    /// What makes workers interchangeable: the skill file and the limits they run under.
    struct Key: Hashable, Sendable {
        /// The content hash of the skill file.
        var sha256: String
        /// The workers' `RLIMIT_AS` in bytes; 0: none.
        var memoryLimitBytes: Int
        /// The skill's grants, which shape the workers' sandbox.
        var grants = SkillGrants.none
    }

    private struct IdleWorker {
        let worker: WorkerProcess
        /// Identifies this stay in the idle list, for its expiry timer.
        let ticket: UInt64
        /// Shuts the worker down when its stay lasts the idle timeout; disarmed when the stay
        /// ends otherwise (the entry is dropped with it).
        let expiry: DeadlineTimer
    }

    private struct SkillWorkers {
        var path: String
        var idle: [IdleWorker] = []
        /// Workers checked out by runs, or loading for one.
        var busy = 0
        /// Workers loading in the background for the pool.
        var warming = 0
        /// Runs waiting for a worker, in arrival order.
        var waiters: [WorkerWaiter] = []
        /// Evicted: workers that come back are shut down, none are started ahead of demand.
        var retiring = false

        var total: Int { idle.count + busy + warming }
    }

    private struct State {
        var skills: [Key: SkillWorkers] = [:]
        /// Every worker the pool started and has not let go of, to kill them all at the end.
        /// Keyed by identity: a pid may be reused by a new worker once an old one is reaped.
        var live: [ObjectIdentifier: WorkerProcess] = [:]
        var nextTicket: UInt64 = 0
        var closed = false
        /// The pool's settings, which ``update(settings:)`` replaces.
        var settings: ProcessIsolationSettings
    }

    /// Who the workers run as outside their user namespace.
    private let identity: WorkerSandboxSettings.Identity
    private let state: Mutex<State>
    /// Workers started, and those that died on their own: atomics, counted as it happens
    /// and read at a scrape.
    private let spawnedWorkers = Atomic<Int>(0)
    private let crashedWorkers = Atomic<Int>(0)

    /// Creates an empty pool of workers that run as `identity`.
    init(settings: ProcessIsolationSettings, identity: WorkerSandboxSettings.Identity) {
        state = Mutex(State(settings: settings))
        self.identity = identity
    }

    /// The settings in force.
    var settings: ProcessIsolationSettings {
        state.withLock { $0.settings }
    }

    /// Replaces the settings: the pool size and the per-skill limit apply at once, to every
    /// skill; the idle timeout to workers that become idle from now on; the memory limit,
    /// the sandbox's limits and the timeouts to workers started from now on (runs find
    /// workers by ``Key``, which holds the limits they run under, so no run gets a worker
    /// started under the old ones, and those idle out). A skill that is now allowed more
    /// workers may wake the runs waiting for one.
    func update(settings: ProcessIsolationSettings) {
        let keys = state.withLock { state -> [Key] in
            state.settings = settings
            return Array(state.skills.keys)
        }
        for key in keys {
            wakeOneIfCapacity(key)
        }
    }

    // MARK: Runs

    /// A loaded worker of the skill, checked out for one run: an idle one, or a new one when
    /// fewer than the limit exist, or the first to come back. Ends with a failure when the
    /// worker cannot be loaded (or the calling task is cancelled).
    func acquire(key: Key, path: String) async -> Result<WorkerProcess, InvocationFailure> {
        defer { replenish(key: key) }
        while true {
            enum Step { case take(WorkerProcess), spawn, wait(WorkerWaiter), closed }
            let step = state.withLock { state -> Step in
                guard !state.closed else { return .closed }
                var skill = state.skills[key] ?? SkillWorkers(path: path)
                skill.path = path
                skill.retiring = false
                defer { state.skills[key] = skill }
                while let idle = skill.idle.popLast() {
                    if idle.worker.hasEnded {
                        state.live[ObjectIdentifier(idle.worker)] = nil
                        continue
                    }
                    skill.busy += 1
                    return .take(idle.worker)
                }
                // A worker loading in the background is ready sooner than a new one: wait
                // for it, unless earlier runs wait for every one of them already.
                if skill.warming <= skill.waiters.count, skill.total < state.settings.maximumWorkersPerSkill {
                    skill.busy += 1
                    return .spawn
                }
                let waiter = WorkerWaiter()
                skill.waiters.append(waiter)
                return .wait(waiter)
            }
            switch step {
            case .closed:
                return .failure(.cancelled(reason: "skillhostd is shutting down"))
            case let .take(worker):
                return .success(worker)
            case .spawn:
                let launched = await launch(path: path, key: key, timeout: nil)
                if case .failure = launched {
                    state.withLock { state in state.skills[key]?.busy -= 1 }
                    wakeOneIfCapacity(key)
                }
                return launched
            case let .wait(waiter):
                await waitForWorker(waiter, key: key)
                if Task.isCancelled {
                    // It may have been woken for capacity it will not use: pass that on.
                    wakeOneIfCapacity(key)
                    return .failure(.cancelled(reason: "the run ended while it waited for a worker"))
                }
            }
        }
    }

    /// The workers idle, busy and starting now, and those started and crashed so far.
    var counts: WorkerCounts {
        let (idle, busy, starting) = state.withLock { state in
            state.skills.values.reduce(into: (0, 0, 0)) { counts, skill in
                counts.0 += skill.idle.count
                counts.1 += skill.busy
                counts.2 += skill.warming
            }
        }
        return WorkerCounts(idle: idle, busy: busy, starting: starting, spawned: spawnedWorkers.load(ordering: .relaxed),
                            crashed: crashedWorkers.load(ordering: .relaxed))
    }

    /// Hands a worker back after its run: idle for the next run when `reusable` and alive,
    /// killed otherwise.
    func release(_ worker: WorkerProcess, key: Key, reusable: Bool) {
        if worker.hasEnded { crashedWorkers.add(1, ordering: .relaxed) }
        let keep = reusable && !worker.hasEnded
        if keep {
            worker.setEventHandler { [weak self, weak worker] event in
                guard let self, let worker else { return }
                self.idleWorkerEvent(event, worker: worker, key: key)
            }
        }
        let shutDown = state.withLock { state in
            guard var skill = state.skills[key] else {
                state.live[ObjectIdentifier(worker)] = nil
                return true
            }
            defer { state.skills[key] = skill }
            skill.busy -= 1
            guard keep, !skill.retiring, !state.closed else {
                state.live[ObjectIdentifier(worker)] = nil
                return true
            }
            skill.idle.append(idleEntry(worker, key: key, state: &state))
            return false
        }
        if shutDown {
            if keep { worker.shutDown() } else { worker.kill() }
        }
        wakeOneIfCapacity(key)
        replenish(key: key)
    }

    /// Waits until `waiter` is woken, or at once when the task is (or gets) cancelled.
    private func waitForWorker(_ waiter: WorkerWaiter, key: Key) async {
        await withTaskCancellationHandler {
            await waiter.wait()
        } onCancel: {
            if waiter.cancel() {
                state.withLock { state in state.skills[key]?.waiters.removeAll { $0 === waiter } }
            }
        }
    }

    /// Wakes the first run waiting for a worker of `key` when one can be had now: an idle
    /// worker, or room for a new one. Called wherever a worker becomes idle or the number
    /// of workers drops. A waiter that was cancelled meanwhile passes the wake-up on.
    private func wakeOneIfCapacity(_ key: Key) {
        while true {
            let waiter = state.withLock { state -> WorkerWaiter? in
                guard var skill = state.skills[key], !skill.waiters.isEmpty,
                      !skill.idle.isEmpty || skill.total < state.settings.maximumWorkersPerSkill
                else { return nil }
                defer { state.skills[key] = skill }
                return skill.waiters.removeFirst()
            }
            guard let waiter else { return }
            if waiter.resume() { return }
        }
    }

    // MARK: Idle workers

    private func idleWorkerEvent(_ event: WorkerEvent, worker: WorkerProcess, key: Key) {
        switch event {
        case .message:
            // An idle worker has nothing to say: it broke the protocol.
            worker.kill()
        case .ended:
            // Still listed as idle: the pool did not shut it down, it died on its own.
            let diedIdle = state.withLock { state in
                state.live[ObjectIdentifier(worker)] = nil
                let before = state.skills[key]?.idle.count ?? 0
                state.skills[key]?.idle.removeAll { $0.worker === worker }
                return (state.skills[key]?.idle.count ?? 0) < before
            }
            if diedIdle { crashedWorkers.add(1, ordering: .relaxed) }
            wakeOneIfCapacity(key)
        }
    }

    /// A new stay of `worker` in the idle list, whose timer shuts it down after the idle timeout.
    private func idleEntry(_ worker: WorkerProcess, key: Key, state: inout State) -> IdleWorker {
        state.nextTicket += 1
        let ticket = state.nextTicket
        let expiry = DeadlineTimer(after: state.settings.idleTimeout) { [weak self] in
            self?.expire(key: key, ticket: ticket)
        }
        return IdleWorker(worker: worker, ticket: ticket, expiry: expiry)
    }

    /// Shuts down the worker whose idle stay `ticket` lasted the idle timeout, if it is still idle.
    private func expire(key: Key, ticket: UInt64) {
        let expired = state.withLock { state -> WorkerProcess? in
            guard let index = state.skills[key]?.idle.firstIndex(where: { $0.ticket == ticket }) else { return nil }
            let worker = state.skills[key]!.idle.remove(at: index).worker
            state.live[ObjectIdentifier(worker)] = nil
            return worker
        }
        expired?.shutDown()
        if expired != nil { wakeOneIfCapacity(key) }
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
            let count = max(0, min(state.settings.poolSize - skill.idle.count - skill.warming,
                                   state.settings.maximumWorkersPerSkill - skill.total))
            skill.warming += count
            state.skills[key] = skill
            return (skill.path, count)
        }
        for _ in 0..<count {
            Task { await warmUp(key: key, path: path) }
        }
    }

    private func warmUp(key: Key, path: String) async {
        let launched = await launch(path: path, key: key, timeout: settings.backgroundLoadTimeout)
        guard case let .success(worker) = launched else {
            // A skill that cannot load is not retried in the background; a run waiting for
            // this worker starts its own, which reports why.
            state.withLock { state in state.skills[key]?.warming -= 1 }
            wakeOneIfCapacity(key)
            return
        }
        worker.setEventHandler { [weak self, weak worker] event in
            guard let self, let worker else { return }
            self.idleWorkerEvent(event, worker: worker, key: key)
        }
        let admitted = state.withLock { state -> Bool in
            guard var skill = state.skills[key], !skill.retiring, !state.closed else {
                state.skills[key]?.warming -= 1
                state.live[ObjectIdentifier(worker)] = nil
                return false
            }
            defer { state.skills[key] = skill }
            skill.warming -= 1
            skill.idle.append(idleEntry(worker, key: key, state: &state))
            return true
        }
        if !admitted {
            worker.shutDown()
        }
        wakeOneIfCapacity(key)
    }

    // MARK: Starting a worker

    /// Spawns a worker of `key` and loads the skill at `path` in it; kills it if the calling task is
    /// cancelled or `timeout` passes first.
    private func launch(path: String, key: Key, timeout: Duration?) async -> Result<WorkerProcess, InvocationFailure> {
        let handshake = LoadHandshake()
        let launch = WorkerLaunch(settings: settings, memoryLimitBytes: key.memoryLimitBytes, skillPath: path,
                                  grants: key.grants, identity: identity)
        let spawned = await SpawnThread.shared.run { () -> Result<WorkerProcess, WorkerSpawnError> in
            do throws(WorkerSpawnError) {
                return .success(try WorkerProcess.spawn(launch, handler: handshake.handle))
            } catch {
                return .failure(error)
            }
        }
        let worker: WorkerProcess
        switch spawned {
        case let .success(started):
            worker = started
            spawnedWorkers.add(1, ordering: .relaxed)
        case let .failure(error):
            return .failure(.loadFailed(message: error.description))
        }
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.live[ObjectIdentifier(worker)] = worker
            return true
        }
        guard admitted else {
            worker.kill()
            return .failure(.cancelled(reason: "skillhostd is shutting down"))
        }
        handshake.attach(worker)
        worker.send(.load(path: path))
        let timer = timeout.map { timeout in
            DeadlineTimer(after: timeout) { [weak worker] in worker?.kill() }
        }
        defer { timer?.cancel() }
        let loaded = await withTaskCancellationHandler {
            await handshake.result()
        } onCancel: {
            worker.kill()
        }
        if case .failure = loaded {
            worker.kill()
            state.withLock { state in state.live[ObjectIdentifier(worker)] = nil }
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
            for worker in idle { state.live[ObjectIdentifier(worker)] = nil }
            return idle
        }
        idle.forEach { $0.shutDown() }
        // Waiters of an evicted skill do not wait on workers that are gone.
        let keys = state.withLock { state in state.skills.keys.filter { $0.sha256 == sha256 } }
        keys.forEach(wakeOneIfCapacity)
    }

    /// Kills every worker and refuses new ones: the daemon is going down. (Workers also die
    /// with the daemon through `PR_SET_PDEATHSIG`.)
    func close() {
        let (workers, waiters) = state.withLock { state in
            state.closed = true
            let workers = Array(state.live.values)
            let waiters = state.skills.values.flatMap(\.waiters)
            state.live = [:]
            for key in Array(state.skills.keys) {
                state.skills[key]?.idle = []
                state.skills[key]?.waiters = []
            }
            return (workers, waiters)
        }
        workers.forEach { $0.kill() }
        waiters.forEach { _ = $0.resume() }
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
        state.withLock { $0.live.values.map(\.pid) }
    }
}

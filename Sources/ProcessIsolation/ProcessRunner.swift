import Dispatch
import InferenceDriver
import SkillRuntime
import SkillhostModel
import Synchronization

/// Runs skills in worker processes (docs/WORKER-PROTOCOL.md): a crash, a hang or runaway
/// memory kills only the worker, and the run records why. Workers come from a
/// ``WorkerPool`` per skill; CSI inference calls are made here, in the daemon, on behalf of
/// the worker.
///
/// The caller is resumed exactly once, by the first of: `run_done`, a failed CSI call (the
/// trap: the call is never answered and the worker is killed, so no skill code runs after
/// the failure), `csi_misuse`, output beyond the cap, the deadline, a cancel, or the
/// worker's death.
public final class ProcessRunner: SkillRunner {
    private let inference: any InferenceService
    /// The limits of each run, which ``update(settings:limits:)`` replaces.
    private let currentLimits: Mutex<InvocationLimits>
    /// Who workers run as outside their user namespace.
    private let identity: WorkerSandboxSettings.Identity
    let pool: WorkerPool
    private let nextInvocation = Atomic<UInt64>(1)

    /// Creates a runner whose skills reach inference through `inference`. Check
    /// `settings.sandbox` with ``WorkerSandboxSettings/validate()`` first: when `sandbox_user`
    /// names no user, a root daemon's workers run as uid and gid 65534.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits(),
                settings: ProcessIsolationSettings = ProcessIsolationSettings())
    {
        self.inference = inference
        currentLimits = Mutex(limits)
        identity = (try? settings.sandbox.identity()) ?? .overflow
        pool = WorkerPool(settings: settings, identity: identity)
    }

    /// The settings in force.
    public var settings: ProcessIsolationSettings { pool.settings }

    /// Its workers idle, busy and starting now, and those started and crashed so far.
    public var workerCounts: WorkerCounts { pool.counts }

    /// Replaces the settings and the limits of runs, for the runs that start from now on:
    /// see ``WorkerPool/update(settings:)`` for what applies to which workers. The sandbox's
    /// mode and user are the ones the runner was created with, whatever `settings` says:
    /// workers run as the identity found then.
    public func update(settings: ProcessIsolationSettings, limits: InvocationLimits) {
        var kept = settings
        kept.sandbox.mode = pool.settings.sandbox.mode
        kept.sandbox.user = pool.settings.sandbox.user
        pool.update(settings: kept)
        currentLimits.withLock { $0 = limits }
    }

    /// Runs `invocation` in a worker whose memory limit is the daemon's default, without grants.
    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        await run(skillPath: skillPath, sha256: sha256, memoryLimitBytes: nil, grants: .none, invocation: invocation)
    }

    /// Runs `invocation` in a worker started with `RLIMIT_AS` = `memoryLimitBytes` (0: none;
    /// nil: the daemon's default), sandboxed with `grants`. Workers of another limit or other
    /// grants are never used for it.
    public func run(skillPath: String, sha256: String, memoryLimitBytes: Int?, grants: SkillGrants,
                    invocation: Invocation) async -> InvocationReport
    {
        let key = poolKey(sha256: sha256, memoryLimitBytes: memoryLimitBytes, grants: grants)
        let run = WorkerInvocation(
            id: nextInvocation.add(1, ordering: .relaxed).oldValue, inference: inference,
            model: invocation.model, limits: currentLimits.withLock { $0 }, events: invocation.events)
        let timeout = invocation.timeout
        let deadline = DeadlineTimer(after: timeout) { run.trap(.timedOut(after: timeout)) }
        defer { deadline.cancel() }
        let pool = self.pool
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard run.begin(continuation) else { return }
                let input = invocation.input
                run.startAcquisition {
                    // A worker that died idle in the pool is not charged to this run: it
                    // gets another, once.
                    for attempt in 1...2 {
                        switch await pool.acquire(key: key, path: skillPath) {
                        case let .failure(failure):
                            run.trap(failure)
                            return
                        case let .success(worker):
                            let attachment = run.attach(worker, input: input) { reusable in
                                pool.release(worker, key: key, reusable: reusable)
                            }
                            guard attachment == .workerWasDead, attempt == 1 else {
                                if attachment == .workerWasDead {
                                    run.trap(.crashed(reason: "two workers in a row had died before they received the run"))
                                }
                                return
                            }
                        }
                    }
                }
            }
        } onCancel: {
            run.trap(.cancelled(reason: "the caller went away"))
        }
    }

    /// Starts the skill's workers in the background, so that its first run finds one ready.
    /// `memoryLimitBytes` and `grants` as in ``run(skillPath:sha256:memoryLimitBytes:grants:invocation:)``.
    public func prewarm(skillPath: String, sha256: String, memoryLimitBytes: Int?, grants: SkillGrants) {
        pool.prewarm(key: poolKey(sha256: sha256, memoryLimitBytes: memoryLimitBytes, grants: grants), path: skillPath)
    }

    /// The workers a run of the skill file `sha256` may use: those started under its memory
    /// limit (nil: the daemon's) and its grants, their limits resolved against the settings
    /// in force (nil: the daemon's), so that workers started under other limits never serve it.
    private func poolKey(sha256: String, memoryLimitBytes: Int?, grants: SkillGrants) -> WorkerPool.Key {
        let settings = pool.settings
        var resolved = grants
        resolved.processLimit = grants.processLimit ?? settings.sandbox.processLimit
        resolved.cpuSecondsPerRun = grants.cpuSecondsPerRun ?? settings.sandbox.cpuSecondsPerRun
        return WorkerPool.Key(sha256: sha256, memoryLimitBytes: memoryLimitBytes ?? settings.memoryLimitBytes,
                              grants: resolved)
    }

    /// Checks the file at `path` in a throwaway worker and returns what its descriptor
    /// declares, without running its `init`: the file's ELF constructors run there, never in
    /// the daemon. Bounded by ``ProcessIsolationSettings/inspectionTimeout``.
    public func inspect(path: String) async -> Result<SkillManifest, SkillInspectionError> {
        await WorkerInspection.inspect(path: path, settings: pool.settings, identity: identity)
    }

    /// The sandbox a worker without grants gets on this machine, from a worker started to
    /// report it and shut down; nil when the sandbox is off. For the start-up log and
    /// `host.status`.
    public func probeSandbox() async -> Result<SandboxReport, SandboxProbeError>? {
        let settings = pool.settings
        let launch = WorkerLaunch(settings: settings, memoryLimitBytes: settings.memoryLimitBytes, skillPath: nil,
                                  grants: .none, identity: identity)
        guard launch.sandbox != nil else { return nil }
        let spawned = await SpawnThread.shared.run { () -> Result<WorkerProcess, WorkerSpawnError> in
            do throws(WorkerSpawnError) {
                return .success(try WorkerProcess.spawn(launch, handler: { _ in }))
            } catch {
                return .failure(error)
            }
        }
        let worker: WorkerProcess
        switch spawned {
        case let .success(started): worker = started
        case let .failure(error): return .failure(SandboxProbeError(reason: error.description))
        }
        let timer = DeadlineTimer(after: settings.inspectionTimeout) { [weak worker] in worker?.kill() }
        defer { timer.cancel() }
        let report = await worker.sandboxReport()
        worker.shutDown()
        guard let report else {
            return .failure(SandboxProbeError(reason: worker.endReason.map { "the worker " + $0 } ?? "the worker ended before it reported its sandbox"))
        }
        return .success(report)
    }

    /// Why the namespaces of workers are unavailable, when a clone into them was refused.
    public var namespacesUnavailableReason: String? { NamespaceSupport.shared.unavailableReason }

    /// Shuts the skill's idle workers down.
    public func evict(sha256: String) {
        pool.evict(sha256: sha256)
    }

    /// Kills every worker; runs in flight end as crashed or cancelled. For daemon shutdown.
    public func shutDown() {
        pool.close()
    }
}

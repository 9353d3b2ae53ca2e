import Dispatch
import InferenceDriver
import SkillRuntime
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
    private let limits: InvocationLimits
    private let settings: ProcessIsolationSettings
    let pool: WorkerPool
    private let nextInvocation = Atomic<UInt64>(1)

    /// Creates a runner whose skills reach inference through `inference`.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits(),
                settings: ProcessIsolationSettings = ProcessIsolationSettings())
    {
        self.inference = inference
        self.limits = limits
        self.settings = settings
        pool = WorkerPool(settings: settings)
    }

    /// Runs `invocation` in a worker whose memory limit is the daemon's default.
    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        await run(skillPath: skillPath, sha256: sha256, memoryLimitBytes: nil, invocation: invocation)
    }

    /// Runs `invocation` in a worker started with `RLIMIT_AS` = `memoryLimitBytes` (0: none;
    /// nil: the daemon's default). Workers of another limit are never used for it.
    public func run(skillPath: String, sha256: String, memoryLimitBytes: Int?, invocation: Invocation) async -> InvocationReport {
        let key = WorkerPool.Key(sha256: sha256, memoryLimitBytes: memoryLimitBytes ?? settings.memoryLimitBytes)
        let run = WorkerInvocation(
            id: nextInvocation.add(1, ordering: .relaxed).oldValue, inference: inference,
            model: invocation.model, limits: limits, events: invocation.events)
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
    /// `memoryLimitBytes` as in ``run(skillPath:sha256:memoryLimitBytes:invocation:)``.
    public func prewarm(skillPath: String, sha256: String, memoryLimitBytes: Int?) {
        pool.prewarm(key: WorkerPool.Key(sha256: sha256, memoryLimitBytes: memoryLimitBytes ?? settings.memoryLimitBytes),
                     path: skillPath)
    }

    /// Checks the file at `path` in a throwaway worker and returns what its descriptor
    /// declares, without running its `init`: the file's ELF constructors run there, never in
    /// the daemon. Bounded by ``ProcessIsolationSettings/inspectionTimeout``.
    public func inspect(path: String) async -> Result<SkillManifest, SkillInspectionError> {
        await WorkerInspection.inspect(path: path, settings: settings)
    }

    /// Shuts the skill's idle workers down.
    public func evict(sha256: String) {
        pool.evict(sha256: sha256)
    }

    /// Kills every worker; runs in flight end as crashed or cancelled. For daemon shutdown.
    public func shutDown() {
        pool.close()
    }
}

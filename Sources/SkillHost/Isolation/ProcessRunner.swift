import Dispatch
import InferenceDriver
import Registry
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
    let pool: WorkerPool
    private let nextInvocation = Atomic<UInt64>(1)

    /// Creates a runner whose skills reach inference through `inference`.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits(),
                settings: ProcessIsolationSettings = ProcessIsolationSettings())
    {
        self.inference = inference
        self.limits = limits
        pool = WorkerPool(settings: settings)
    }

    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        let run = WorkerInvocation(
            id: nextInvocation.add(1, ordering: .relaxed).oldValue, inference: inference,
            model: invocation.model, limits: limits)
        let timeout = invocation.timeout
        // A Dispatch timer, as in the in-process runner: it fires on time even when blocking
        // work holds the threads of the Swift pool.
        let deadline = DispatchWorkItem { run.trap(.timedOut(after: timeout)) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval, execute: deadline)
        defer { deadline.cancel() }
        let pool = self.pool
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard run.begin(continuation) else { return }
                let input = invocation.input
                run.startAcquisition(Task {
                    switch await pool.acquire(sha256: sha256, path: skillPath) {
                    case let .failure(failure):
                        run.trap(failure)
                    case let .success(worker):
                        run.attach(worker, input: input) { reusable in
                            pool.release(worker, sha256: sha256, reusable: reusable)
                        }
                    }
                })
            }
        } onCancel: {
            run.trap(.cancelled(reason: "the caller went away"))
        }
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

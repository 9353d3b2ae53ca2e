import InferenceDriver
import Synchronization

/// Runs skills on threads of the daemon: microsecond overhead, for skills the operator
/// trusts. A thread cannot be stopped safely, so a trapped invocation resumes its caller at
/// once and the skill's thread is left to notice `SKILL_ERR_ABORTED` and return; a skill
/// that never returns keeps its thread. Untrusted skills belong in process isolation.
public final class InProcessRunner: SkillRunner {
    /// Stack size of the thread each invocation runs on; C skills expect a process-like stack.
    package static let skillThreadStackSize = 8 << 20

    private let inference: any InferenceService
    private let limits: InvocationLimits
    private let maximumThreads: Int
    /// Loaded instances by content hash: each skill file is opened and initialised once.
    private let instances = Mutex<[String: SkillInstanceCell]>([:])
    /// Skill threads alive, including those of runs that ended by a trap while the skill's
    /// code went on: they hold memory and maybe locks, so they count against the limit.
    private let liveThreads = Atomic<Int>(0)
    /// The threads skills run on, parked between runs.
    private let threads = SkillThreads(stackSize: skillThreadStackSize)

    /// Creates a runner whose skills reach inference through `inference`, with at most
    /// `maximumThreads` skill threads alive at once.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits(), maximumThreads: Int = 256) {
        self.inference = inference
        self.limits = limits
        self.maximumThreads = maximumThreads
    }

    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        guard liveThreads.add(1, ordering: .relaxed).newValue <= maximumThreads else {
            liveThreads.subtract(1, ordering: .relaxed)
            let reason = "\(maximumThreads) in-process skill threads are alive, the most this daemon allows; some may "
                + "belong to runs that passed their deadline without returning: retry later, or run this skill in "
                + "process isolation (`skillctl isolation NAME process`)"
            return InvocationReport(outcome: .failure(.overloaded(reason: reason)), usage: .zero, logs: [])
        }
        let cell = instanceCell(path: skillPath, sha256: sha256)
        let context = InvocationContext(inference: inference, model: invocation.model, limits: limits,
                                        events: invocation.events)
        let timeout = invocation.timeout
        // The deadline starts before the skill is loaded, so a hanging `init` is bounded too.
        let deadline = DeadlineTimer(after: timeout) { context.trap(.timedOut(after: timeout)) }
        defer { deadline.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard context.begin(continuation) else {
                    liveThreads.subtract(1, ordering: .relaxed)
                    return
                }
                let input = invocation.input
                threads.run { [self] in
                    defer { liveThreads.subtract(1, ordering: .relaxed) }
                    switch cell.instance() {
                    case let .success(skill):
                        guard context.start() else { return }
                        Self.execute(skill, context: context, input: input)
                    case let .failure(error):
                        context.trap(.loadFailed(message: error.description))
                    }
                }
            }
        } onCancel: {
            context.trap(.cancelled(reason: "the caller went away"))
        }
    }

    public func evict(sha256: String) {
        _ = instances.withLock { $0.removeValue(forKey: sha256) }
    }

    private func instanceCell(path: String, sha256: String) -> SkillInstanceCell {
        instances.withLock { instances in
            if let cell = instances[sha256] { return cell }
            let cell = SkillInstanceCell(path: path)
            instances[sha256] = cell
            return cell
        }
    }

    /// The body of a skill thread: calls `run` with the context as its host, and hands the
    /// result to the context, which frees the invocation's memory now that the skill is done
    /// with it.
    private static func execute(_ skill: LoadedSkill, context: InvocationContext, input: [UInt8]) {
        let (status, output) = HostTable.run(skill, input: input, services: context)
        context.skillReturned(status: status, output: output)
    }
}

/// The loaded instance of one skill file, loaded (and its `init` run) once, by the first
/// skill thread that needs it. Loading happens on that thread, under the run's deadline:
/// an `init` that hangs holds skill threads, never the daemon's concurrency pool. A failed
/// load is not kept, so the next run tries again.
final class SkillInstanceCell: Sendable {
    private let path: String
    /// Held while loading, so that concurrent first runs wait for one `init` instead of
    /// running several: they are skill threads, which may block.
    private let loaded = Mutex<LoadedSkill?>(nil)

    init(path: String) {
        self.path = path
    }

    /// The instance, loading it first if no run has yet.
    func instance() -> Result<LoadedSkill, SkillLoadError> {
        loaded.withLock { loaded in
            if let skill = loaded { return .success(skill) }
            do throws(SkillLoadError) {
                let skill = try SkillLoader.load(path: path)
                loaded = skill
                return .success(skill)
            } catch {
                return .failure(error)
            }
        }
    }
}

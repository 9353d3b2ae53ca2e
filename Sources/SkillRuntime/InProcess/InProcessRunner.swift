import InferenceDriver
import Synchronization

/// Runs skills on threads of the daemon: microsecond overhead, for skills the operator
/// trusts. A thread cannot be stopped safely, so a trapped invocation resumes its caller at
/// once and the skill's thread is left to notice `SKILL_ERR_ABORTED` and return; a skill
/// that never returns keeps its thread, at the lowest priority, and is reported in
/// ``stuckThreads``. Untrusted skills belong in process isolation.
public final class InProcessRunner: SkillRunner {
    /// Stack size of the thread each invocation runs on; C skills expect a process-like stack.
    package static let skillThreadStackSize = 8 << 20

    private let inference: any InferenceService
    /// The limits of each run, which ``update(limits:)`` replaces.
    private let currentLimits: Mutex<InvocationLimits>
    /// Loaded instances by content hash: each skill file is opened and initialised once.
    private let instances = Mutex<[String: SkillInstanceCell]>([:])
    /// The runs whose skill threads are alive, including those of runs that ended by a trap
    /// while the skill's code went on: they hold memory and maybe locks, so they count
    /// against the limit, and they are reported as stuck.
    private let roster: SkillThreadRoster
    /// The threads skills run on, parked between runs.
    private let threads = SkillThreads(stackSize: skillThreadStackSize)

    /// Creates a runner whose skills reach inference through `inference`, with at most
    /// `maximumThreads` skill threads alive at once.
    public init(inference: any InferenceService, limits: InvocationLimits = InvocationLimits(), maximumThreads: Int = 256) {
        self.inference = inference
        currentLimits = Mutex(limits)
        roster = SkillThreadRoster(maximum: maximumThreads)
    }

    /// Replaces the limits of the runs that start from now on.
    public func update(limits: InvocationLimits) {
        currentLimits.withLock { $0 = limits }
    }

    /// The skill threads still running the code of a run that ended (its deadline passed, its
    /// caller went away, a CSI call failed), the longest stuck first. Nothing can stop them:
    /// each runs at the lowest priority until its skill returns, and then leaves this list.
    public var stuckThreads: [StuckSkillThread] {
        roster.stuck
    }

    public func run(skillPath: String, sha256: String, invocation: Invocation) async -> InvocationReport {
        guard let ticket = roster.admit(invocation.owner) else {
            let reason = "\(roster.maximum) in-process skill threads are alive, the most this daemon allows; some may "
                + "belong to runs that passed their deadline without returning: retry later, or run this skill in "
                + "process isolation (`skillctl isolation NAME process`)"
            return InvocationReport(outcome: .failure(.overloaded(reason: reason)), usage: .zero, logs: [])
        }
        let cell = instanceCell(path: skillPath, sha256: sha256)
        let limits = currentLimits.withLock { $0 }
        let context = InvocationContext(inference: inference, model: invocation.model, limits: limits,
                                        events: invocation.events)
        let timeout = invocation.timeout
        // The deadline starts before the skill is loaded, so a hanging `init` is bounded too.
        let deadline = DeadlineTimer(after: timeout) { context.trap(.timedOut(after: timeout)) }
        defer { deadline.cancel() }
        let report = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard context.begin(continuation) else {
                    roster.threadFinished(ticket)
                    return
                }
                let input = invocation.input
                threads.run { [self] in
                    roster.threadStarted(ticket)
                    switch cell.instance() {
                    case let .success(skill):
                        guard context.start() else { return roster.threadFinished(ticket) }
                        return Self.execute(skill, context: context, input: input) { roster.threadFinished(ticket) }
                    case let .failure(error):
                        let afterRun = roster.threadFinished(ticket)
                        context.trap(.loadFailed(message: error.description))
                        return afterRun
                    }
                }
            }
        } onCancel: {
            context.trap(.cancelled(reason: "the caller went away"))
        }
        // A thread that still has the run now is stuck in the skill's code.
        roster.runEnded(ticket)
        return report
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

    /// The body of a skill thread: calls `run` with the context as its host, tells the roster
    /// the skill's code is done (`finished`, before the caller can be resumed, so that a run
    /// that returned is never taken for a stuck one), and hands the result to the context,
    /// which frees the invocation's memory now that the skill is done with it.
    private static func execute(_ skill: LoadedSkill, context: InvocationContext, input: [UInt8],
                                finished: () -> SkillThreads.AfterRun) -> SkillThreads.AfterRun {
        let (status, output) = HostTable.run(skill, input: input, services: context)
        let afterRun = finished()
        context.skillReturned(status: status, output: output)
        return afterRun
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

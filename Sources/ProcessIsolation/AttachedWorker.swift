import SkillRuntime
import SkillhostModel

/// The worker process that runs one invocation, as that invocation's ``InvocationCore``
/// holds it: stopped by a kill, and handed back to its pool when the invocation is over
/// with it, with what it wrote to stdout and stderr meanwhile.
struct AttachedWorker: InvocationExecutor {
    /// The most lines of each captured standard stream added to a run's logs.
    static let maximumCapturedLines = 200

    /// The process.
    let process: WorkerProcess
    /// Hands the process back to its pool, to serve another run when `reusable`.
    let handBack: @Sendable (_ reusable: Bool) -> Void
    /// The run's limits, which bound the captured lines.
    let limits: InvocationLimits

    func stop() {
        process.kill()
    }

    func release(reusable: Bool) -> [RunLogLine] {
        let captured = process.takeCapturedOutput(maximumLineBytes: limits.maximumLogLineBytes,
                                                  maximumLines: Self.maximumCapturedLines)
        handBack(reusable)
        return captured
    }
}

import SkillhostModel

/// What a transition of an ``InvocationMachine`` leaves to do once its lock is released:
/// the things that may block, call out, or take locks of their own. ``perform(closing:)``
/// does them in a fixed order, so that no skill code runs after its outcome is decided and
/// the caller sees everything settled when it resumes. Noncopyable: they are performed once.
package struct InvocationEffects<Executor: InvocationExecutor>: ~Copyable {
    /// The executor to stop at once: the outcome is decided, and no skill code may follow it.
    package var stop: Executor?
    /// Whether the invocation ended for its caller: no event reaches its sink from now on.
    package var closesEvents = false
    /// Work done for the invocation that is of no use any more: inference calls in flight,
    /// the search for a worker.
    package var cancel: [Task<Void, Never>] = []
    /// The executor to hand back, and whether it can serve another run.
    package var release: (executor: Executor, reusable: Bool)?
    /// The caller to resume, with its report (to which the lines the released executor
    /// captured are added).
    package var resume: (caller: CheckedContinuation<InvocationReport, Never>, report: InvocationReport)?
    /// The memory the skill got through the host, to free now that its `run` has returned.
    package var free = HostAllocations()

    /// Nothing to do.
    package init() {}

    /// Does the effects in this order: stop the executor, close the event gate, cancel the
    /// work, release the executor, resume the caller, free the skill's memory.
    package consuming func perform(closing events: RunEventGate) {
        stop?.stop()
        if closesEvents { events.close() }
        cancel.forEach { $0.cancel() }
        let captured = release.map { $0.executor.release(reusable: $0.reusable) } ?? []
        if let (caller, report) = resume {
            var complete = report
            complete.logs += captured
            caller.resume(returning: complete)
        }
        free.free()
    }
}

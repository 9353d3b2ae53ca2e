/// Where one invocation is in its life, as its host sees it. ``InvocationMachine`` moves it
/// forward only: pending → running → trapped → ended, any step but the last may be skipped,
/// and the first outcome decided is the one that stands.
package enum InvocationPhase: Sendable, Equatable {
    /// No skill code runs for the invocation yet (its caller may be waiting, a worker may be
    /// on its way).
    case pending
    /// The skill's code runs: host calls are served and what they produce is recorded.
    case running
    /// The host ended the invocation with `cause` (a failed host call, the deadline, a
    /// cancel, output over the limit) and resumed its caller, while the skill's code may
    /// still run: on its thread until `run` returns, or in a worker until the kill lands.
    /// Host calls return `SKILL_ERR_ABORTED`, and what `run` returns is dropped.
    case trapped(InvocationFailure)
    /// No skill code runs for the invocation any more. `trap` is the failure the host ended
    /// it with (a trap, or the worker's death), which nothing after can replace; nil when
    /// the skill's `run` returning decided the outcome.
    case ended(trap: InvocationFailure?)

    /// The failure the host ended the invocation with, once it has.
    package var trapCause: InvocationFailure? {
        switch self {
        case .pending, .running: nil
        case let .trapped(cause): cause
        case let .ended(trap): trap
        }
    }
}

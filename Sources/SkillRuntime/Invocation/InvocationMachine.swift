import InferenceDriver
import SkillABI
import SkillhostModel

/// The state of one invocation, shared by every host (the in-process runner, the daemon's
/// side of a worker, the worker process itself): its ``InvocationPhase``, its
/// ``InvocationLedger``, the caller waiting for its report, the executor running its skill,
/// and the work in flight for it.
///
/// A value kept under its owner's lock (see ``InvocationCore``). Each transition changes the
/// state and returns the ``InvocationEffects`` to perform once the lock is released: the
/// phase changes first, so anything that happens because of the effects (a worker killed by
/// a trap reporting its death, an inference call cancelled) finds the invocation over and
/// its outcome decided. Noncopyable: there is one caller to resume and one set of memory to
/// free.
package struct InvocationMachine<Executor: InvocationExecutor>: ~Copyable {
    /// Where the invocation is.
    package private(set) var phase: InvocationPhase
    /// What the invocation has produced and taken; record only while ``isRunning``.
    package var ledger: InvocationLedger
    private var caller: CheckedContinuation<InvocationReport, Never>?
    private var executor: Executor?
    /// Work in flight for the invocation, by ticket, cancelled when it ends.
    private var work: [UInt64: Task<Void, Never>] = [:]
    private var nextTicket: UInt64 = 0

    /// An invocation in `phase`: ``InvocationPhase/pending`` for one whose caller will
    /// ``begin(_:)`` and whose skill will ``start(on:)``, ``InvocationPhase/running`` for one
    /// whose skill runs from the start (in a worker process).
    package init(phase: InvocationPhase, limits: InvocationLimits) {
        self.phase = phase
        ledger = InvocationLedger(limits: limits)
    }

    /// Whether the skill's code runs and its host calls are served.
    package var isRunning: Bool { phase == .running }

    /// Whether the invocation is over for its caller: trapped, or ended.
    private var isOver: Bool {
        switch phase {
        case .pending, .running: false
        case .trapped, .ended: true
        }
    }

    // MARK: Transitions

    /// The caller starts waiting for the report. Returns nil while the invocation has not
    /// ended; when it has (a trap came first) the effects that resume the caller at once:
    /// then nothing of the invocation may start.
    package mutating func begin(_ caller: CheckedContinuation<InvocationReport, Never>) -> InvocationEffects<Executor>? {
        guard isOver else {
            self.caller = caller
            return nil
        }
        var effects = InvocationEffects<Executor>()
        effects.resume = (caller, ledger.report(.failure(phase.trapCause ?? Self.endedBeforeStart)))
        return effects
    }

    /// The skill starts, on `executor` (nil: on a thread of the host): pending → running.
    /// False when the invocation is not pending (it ended first): then nothing may start,
    /// and `executor` is not kept.
    package mutating func start(on executor: Executor?) -> Bool {
        guard phase == .pending else { return false }
        phase = .running
        self.executor = executor
        return true
    }

    /// Keeps the work `makeTask` starts for the invocation (given the ticket that
    /// ``finishWork(_:)`` takes), so that the invocation's end cancels it. Starts nothing,
    /// and returns false, once the invocation is over.
    package mutating func track(_ makeTask: (_ ticket: UInt64) -> Task<Void, Never>) -> Bool {
        guard !isOver else { return false }
        let ticket = nextTicket
        nextTicket += 1
        work[ticket] = makeTask(ticket)
        return true
    }

    /// Forgets the work of `ticket`, which is done.
    package mutating func finishWork(_ ticket: UInt64) {
        work[ticket] = nil
    }

    /// The host ends the invocation with `failure`, unless it is over already (the first
    /// outcome stands). Pending, it ends at once: no skill code ran. Running, it is
    /// trapped: the executor is stopped and handed back spent, the work cancelled, the
    /// caller resumed with `failure`; the skill's memory waits for its `run` to return.
    package mutating func trap(_ failure: InvocationFailure) -> InvocationEffects<Executor> {
        switch phase {
        case .pending:
            phase = .ended(trap: failure)
        case .running:
            phase = .trapped(failure)
        case .trapped, .ended:
            return InvocationEffects()
        }
        var effects = conclude(reusable: false) { _ in .failure(failure) }
        effects.stop = effects.release?.executor
        return effects
    }

    /// The skill's `run` returned `status` and the bytes `returned` (in a worker: its
    /// `run_done` arrived). Running, the invocation ends with the outcome of what it
    /// returned, and its executor can serve another run; trapped, it ends keeping the
    /// trap's cause. Either way the skill's memory is freed: the skill is done with it.
    package mutating func skillReturned(status: skill_status, returned: [UInt8]) -> InvocationEffects<Executor> {
        var effects = InvocationEffects<Executor>()
        switch phase {
        case .running:
            phase = .ended(trap: nil)
            effects = conclude(reusable: true) { $0.outcome(status: status, returned: returned) }
        case let .trapped(cause):
            phase = .ended(trap: cause)
        case .pending, .ended:
            break
        }
        effects.free = ledger.takeAllocations()
        return effects
    }

    /// The executor ended by itself (the worker died or broke the protocol), for the reason
    /// `failure`. Running, the invocation ends with it; trapped (the trap's kill is what
    /// ended the worker), it ends keeping the trap's cause, with nothing left to do.
    package mutating func executorEnded(_ failure: InvocationFailure) -> InvocationEffects<Executor> {
        switch phase {
        case .running:
            phase = .ended(trap: failure)
            return conclude(reusable: false) { _ in .failure(failure) }
        case let .trapped(cause):
            phase = .ended(trap: cause)
            return InvocationEffects()
        case .pending, .ended:
            return InvocationEffects()
        }
    }

    // MARK: Recording

    /// How ``recordOutput(_:)`` took a piece of output.
    package enum OutputRecording: Equatable {
        /// Added to the ledger.
        case recorded
        /// Refused: it would take the output past its limit (trap the invocation).
        case overLimit
        /// Ignored: the invocation is not running.
        case ignored
    }

    /// Adds `bytes` to the output while the invocation runs, within its limit.
    package mutating func recordOutput(_ bytes: [UInt8]) -> OutputRecording {
        guard isRunning else { return .ignored }
        return ledger.recordOutput(bytes) ? .recorded : .overLimit
    }

    /// Keeps `line` while the invocation runs (or counts it as dropped beyond the limit);
    /// nil when the invocation is not running, else whether the line was kept.
    package mutating func recordLog(_ line: RunLogLine) -> Bool? {
        guard isRunning else { return nil }
        return ledger.recordLog(line)
    }

    /// Memory of `byteCount` bytes for the skill while the invocation runs, freed once its
    /// `run` returns; nil when it is over or `malloc` fails.
    package mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        isRunning ? ledger.allocate(byteCount: byteCount) : nil
    }

    /// Adds the tokens of an answered inference call while the invocation runs; false when
    /// it is over (then the answer is dropped).
    package mutating func recordUsage(_ tokens: TokenUsage) -> Bool {
        guard isRunning else { return false }
        ledger.recordUsage(tokens)
        return true
    }

    // MARK: Ending

    /// The failure of an invocation that ended before anything decided its outcome.
    private static var endedBeforeStart: InvocationFailure {
        .cancelled(reason: "the run ended before it started")
    }

    /// The effects of an outcome decided now: the caller resumed with the `outcome` of the
    /// ledger (made only when there is a caller: a worker process has none), the executor
    /// handed back (for another run when `reusable`), the work cancelled, the event gate
    /// closed.
    private mutating func conclude(
        reusable: Bool, outcome: (borrowing InvocationLedger) -> Result<String, InvocationFailure>
    ) -> InvocationEffects<Executor> {
        var effects = InvocationEffects<Executor>()
        effects.closesEvents = true
        effects.cancel = Array(work.values)
        work = [:]
        if let executor = executor.take() {
            effects.release = (executor, reusable)
        }
        if let caller = caller.take() {
            effects.resume = (caller, ledger.report(outcome(ledger)))
        }
        return effects
    }
}

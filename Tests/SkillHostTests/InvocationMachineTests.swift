import SkillABI
@testable import SkillRuntime
import SkillhostModel
import Synchronization
import Testing

/// Every transition of the invocation state machine that all hosts share, and the effects
/// it hands back, performed against a real caller (a checked continuation), a real event
/// gate and an executor that records what was done to it.
@Suite("The invocation state machine")
struct InvocationMachineTests {
    /// An executor that records, in order, what the effects did to it; its release hands
    /// back one captured line.
    final class RecordingExecutor: InvocationExecutor {
        static let capturedLine = RunLogLine(level: .stderr, message: "captured by the executor")
        private let actions = Mutex<[String]>([])

        var recorded: [String] { actions.withLock { $0 } }

        func stop() {
            actions.withLock { $0.append("stop") }
        }

        func release(reusable: Bool) -> [RunLogLine] {
            actions.withLock { $0.append(reusable ? "release reusable" : "release spent") }
            return [Self.capturedLine]
        }
    }

    typealias Machine = InvocationMachine<RecordingExecutor>

    private static let inferenceFailure = InvocationFailure.inferenceFailed(cause: "connection refused")
    private static let crash = InvocationFailure.crashed(reason: "the skill's process was killed by SIGKILL")

    /// A machine whose caller has begun and whose skill runs on `executor`.
    private static func running(_ caller: CheckedContinuation<InvocationReport, Never>, on executor: RecordingExecutor,
                                limits: InvocationLimits = InvocationLimits()) -> Machine
    {
        var machine = Machine(phase: .pending, limits: limits)
        if let early = machine.begin(caller) {
            Issue.record("a pending invocation's caller waits")
            early.perform(closing: RunEventGate(sink: nil))
        }
        let started = machine.start(on: executor)
        #expect(started)
        #expect(machine.phase == .running)
        return machine
    }

    @Test("a trap before the caller begins ends the invocation; begin resumes the caller with it, and nothing starts")
    func trapBeforeBegin() async {
        var machine = Machine(phase: .pending, limits: InvocationLimits())
        let effects = machine.trap(.cancelled(reason: "the caller went away"))
        #expect(machine.phase == .ended(trap: .cancelled(reason: "the caller went away")))
        #expect(effects.resume == nil && effects.stop == nil && effects.release == nil)
        let report = await withCheckedContinuation { caller in
            guard let early = machine.begin(caller) else {
                Issue.record("an ended invocation resumes its caller at once")
                return
            }
            #expect(early.resume != nil)
            early.perform(closing: RunEventGate(sink: nil))
        }
        #expect(report.outcome == .failure(.cancelled(reason: "the caller went away")))
        let started = machine.start(on: RecordingExecutor())
        #expect(!started, "nothing starts once the invocation ended")
    }

    @Test("the skill returning ends the invocation with its output, hands the executor back reusable, frees its memory")
    func skillReturns() async {
        let executor = RecordingExecutor()
        let gate = EventCounter()
        let report = await withCheckedContinuation { caller in
            var machine = Self.running(caller, on: executor)
            #expect(machine.recordOutput(Array("ab".utf8)) == .recorded)
            #expect(machine.allocate(byteCount: 16) != nil)
            let effects = machine.skillReturned(status: SKILL_OK, returned: Array("c".utf8))
            #expect(machine.phase == .ended(trap: nil))
            #expect(effects.stop == nil)
            #expect(effects.release?.reusable == true)
            #expect(effects.closesEvents == true)
            #expect(effects.free.count == 1)
            effects.perform(closing: gate.gate)
        }
        #expect(report.outcome == .success("abc"))
        #expect(report.logs == [RecordingExecutor.capturedLine], "released before the caller resumed")
        #expect(executor.recorded == ["release reusable"])
        #expect(!gate.deliversEvents)
    }

    @Test("a trap while running stops the executor first, releases it spent, cancels the work, resumes with the cause")
    func trapWhileRunning() async {
        let executor = RecordingExecutor()
        let gate = EventCounter()
        let (work, started) = Self.stallingWork()
        var kept: Machine?
        let report = await withCheckedContinuation { caller in
            var machine = Self.running(caller, on: executor)
            let tracked = machine.track { _ in work }
            #expect(tracked)
            #expect(machine.allocate(byteCount: 8) != nil)
            let effects = machine.trap(Self.inferenceFailure)
            #expect(machine.phase == .trapped(Self.inferenceFailure))
            #expect(effects.stop === executor)
            #expect(effects.release?.reusable == false)
            #expect(effects.cancel.count == 1)
            #expect(effects.free.count == 0, "the skill may still use its memory until run returns")
            effects.perform(closing: gate.gate)
            kept = consume machine
        }
        #expect(report.outcome == .failure(Self.inferenceFailure))
        #expect(executor.recorded == ["stop", "release spent"])
        #expect(!gate.deliversEvents)
        await started.value
        await work.value
        #expect(work.isCancelled, "the work was cancelled, and ended")
        guard var machine = kept.take() else { return }
        let returned = machine.skillReturned(status: SKILL_OK, returned: Array("late".utf8))
        #expect(machine.phase == .ended(trap: Self.inferenceFailure), "what run returns after a trap is dropped")
        #expect(returned.resume == nil && returned.release == nil)
        #expect(returned.free.count == 1, "the memory goes once run has returned")
    }

    @Test("the worker's end after a trap keeps the trap's cause and does nothing")
    func workerEndAfterTrap() async {
        let executor = RecordingExecutor()
        var kept: Machine?
        let report = await withCheckedContinuation { caller in
            var machine = Self.running(caller, on: executor)
            machine.trap(Self.inferenceFailure).perform(closing: RunEventGate(sink: nil))
            kept = consume machine
        }
        guard var machine = kept.take() else { return }
        let effects = machine.executorEnded(Self.crash)
        #expect(machine.phase == .ended(trap: Self.inferenceFailure))
        #expect(effects.resume == nil && effects.stop == nil && effects.release == nil && effects.cancel.isEmpty)
        #expect(report.outcome == .failure(Self.inferenceFailure))
        #expect(executor.recorded == ["stop", "release spent"], "the worker was stopped and released once")
    }

    @Test("the worker's end while running ends the invocation with the crash, releasing it spent without a stop")
    func workerEndWhileRunning() async {
        let executor = RecordingExecutor()
        let report = await withCheckedContinuation { caller in
            var machine = Self.running(caller, on: executor)
            let effects = machine.executorEnded(Self.crash)
            #expect(machine.phase == .ended(trap: Self.crash))
            #expect(effects.stop == nil)
            #expect(effects.release?.reusable == false)
            effects.perform(closing: RunEventGate(sink: nil))
        }
        #expect(report.outcome == .failure(Self.crash))
        #expect(executor.recorded == ["release spent"])
    }

    @Test("once ended, a trap, a return and the worker's end change nothing; only memory is freed")
    func afterTheEnd() async {
        let executor = RecordingExecutor()
        var kept: Machine?
        _ = await withCheckedContinuation { caller in
            var machine = Self.running(caller, on: executor)
            machine.skillReturned(status: SKILL_OK, returned: []).perform(closing: RunEventGate(sink: nil))
            kept = consume machine
        }
        guard var machine = kept.take() else { return }
        func expectNothing(_ effects: consuming InvocationEffects<RecordingExecutor>) {
            #expect(effects.resume == nil && effects.stop == nil && effects.release == nil && !effects.closesEvents)
        }
        expectNothing(machine.trap(Self.inferenceFailure))
        expectNothing(machine.executorEnded(Self.crash))
        expectNothing(machine.skillReturned(status: SKILL_ERR_FAILED, returned: []))
        #expect(machine.phase == .ended(trap: nil))
        #expect(executor.recorded == ["release reusable"])
    }

    @Test("a host without a caller (a worker process) runs from the start; a trap then the return keep the cause")
    func workerProcessSide() {
        var machine = InvocationMachine<HostThread>(phase: .running, limits: InvocationLimits())
        #expect(machine.allocate(byteCount: 4) != nil)
        let trapped = machine.trap(Self.inferenceFailure)
        #expect(trapped.resume == nil)
        #expect(machine.allocate(byteCount: 4) == nil, "no memory once trapped")
        let returned = machine.skillReturned(status: SKILL_OK, returned: [])
        #expect(machine.phase.trapCause == Self.inferenceFailure)
        #expect(returned.free.count == 1)
        returned.perform(closing: RunEventGate(sink: nil))
    }

    @Test("output, logs, usage, memory and work are recorded only while running, within the limits")
    func recordingOnlyWhileRunning() async {
        var limits = InvocationLimits()
        limits.maximumOutputBytes = 4
        limits.maximumLogLines = 1
        let line = RunLogLine(level: .info, message: "kept")
        let report = await withCheckedContinuation { caller in
            var machine = Machine(phase: .pending, limits: limits)
            #expect(machine.recordOutput([1]) == .ignored, "pending: nothing runs yet")
            #expect(machine.recordLog(line) == nil)
            let early = machine.begin(caller)
            let started = machine.start(on: RecordingExecutor())
            #expect(early == nil && started)
            #expect(machine.recordOutput(Array("abcd".utf8)) == .recorded)
            #expect(machine.recordOutput(Array("e".utf8)) == .overLimit)
            #expect(machine.recordLog(line) == true)
            #expect(machine.recordLog(line) == false, "beyond the limit: dropped")
            let counted = machine.recordUsage(.init(promptTokens: 2, completionTokens: 3))
            #expect(counted)
            let effects = machine.trap(SkillOutcome.oversizedOutput(limit: 4))
            #expect(machine.recordOutput([1]) == .ignored)
            #expect(machine.recordLog(line) == nil)
            let countedLate = machine.recordUsage(.init(promptTokens: 1, completionTokens: 1))
            #expect(!countedLate)
            #expect(machine.allocate(byteCount: 1) == nil)
            var madeWork = false
            let tracked = machine.track { _ in
                madeWork = true
                return Task {}
            }
            #expect(!tracked)
            #expect(!madeWork, "no work starts once the invocation is over")
            effects.perform(closing: RunEventGate(sink: nil))
        }
        #expect(report.outcome == .failure(SkillOutcome.oversizedOutput(limit: 4)))
        #expect(report.usage == RunUsage(promptTokens: 2, completionTokens: 3))
        #expect(report.logs.prefix(2) == [line, RunLogLine(level: .warning, message: "1 more log lines were dropped")])
    }

    /// Work that waits until it is cancelled, and a task that ends once it has started.
    private static func stallingWork() -> (work: Task<Void, Never>, started: Task<Void, Never>) {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let work = Task {
            continuation.finish()
            try? await Task.sleep(for: .seconds(60))
        }
        return (work, Task { for await _ in stream {} })
    }

    /// An event gate, and whether it still hands events to its sink.
    final class EventCounter: Sendable {
        /// The events the sink received.
        final class Count: Sendable {
            let value = Atomic<Int>(0)
        }

        private let delivered = Count()
        let gate: RunEventGate

        init() {
            let delivered = delivered
            gate = RunEventGate { _ in delivered.value.add(1, ordering: .relaxed) }
        }

        /// Publishes an event and says whether the sink got it.
        var deliversEvents: Bool {
            let before = delivered.value.load(ordering: .relaxed)
            gate.publish { ((), RunEvent.output([1])) }
            return delivered.value.load(ordering: .relaxed) > before
        }
    }
}

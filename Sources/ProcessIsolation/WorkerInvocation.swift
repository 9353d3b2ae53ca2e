import InferenceDriver
import SkillABI
import SkillRuntime
import SkillhostModel
import Synchronization
import WorkerProtocol

/// The daemon's side of one invocation in a worker: the worker's messages for it and the
/// inference calls made on its behalf, over the invocation's ``InvocationCore``.
///
/// The worker is handed back to its pool exactly once: reusable after `run_done`, killed
/// after anything else. Every message that arrives after the invocation ended is dropped.
/// A trap marks the invocation trapped before the worker is killed, so the worker's end,
/// which the kill causes, finds its outcome decided and keeps it. Output chunks (the
/// worker's, and the model's text of a streamed call, which the worker never sees) and log
/// lines go to the invocation's event sink as they are recorded, until it ends.
final class WorkerInvocation: Sendable {
    /// The inference calls of the worker, which it makes one at a time.
    private struct CallSequence {
        /// The number of the call being answered. Reserved in the same lock as the check,
        /// cleared when the reply goes out.
        var unanswered: UInt64?
        /// The id of the last `complete_call` or `chat_call`; ids must increase strictly.
        var last: UInt64 = 0
    }

    /// The invocation number of the `run` message.
    let id: UInt64
    private let inference: any InferenceService
    private let model: String?
    private let core: InvocationCore<AttachedWorker>
    private let calls = Mutex(CallSequence())

    /// The invocation numbered `id`, whose inference calls go to `inference` (with `model`
    /// when a call names none) and whose events go to `events`.
    init(id: UInt64, inference: any InferenceService, model: String?, limits: InvocationLimits,
         events: (@Sendable (RunEvent) -> Void)?)
    {
        self.id = id
        self.inference = inference
        self.model = model
        core = InvocationCore(phase: .pending, limits: limits, events: events)
    }

    // MARK: Life cycle

    /// Installs the continuation the caller awaits. Returns false, having resumed it, when
    /// the invocation was trapped already.
    func begin(_ continuation: CheckedContinuation<InvocationReport, Never>) -> Bool {
        core.begin(continuation)
    }

    /// Starts `acquire`, which gets a worker and attaches it, to be cancelled if the
    /// invocation ends first; nothing starts once it has.
    func startAcquisition(_ acquire: @escaping @Sendable () async -> Void) {
        _ = core.startWork(acquire)
    }

    /// What ``attach(_:input:release:)`` did with a worker.
    enum Attachment {
        /// The run was sent to the worker.
        case started
        /// The worker had died before it received the run (while idle in the pool): it was
        /// released, unused; get another.
        case workerWasDead
        /// The invocation had ended already: the worker went back unused.
        case invocationEnded
    }

    /// Starts the invocation on `worker`, which `release` hands back. When the invocation
    /// has ended already, or the worker turns out dead before it got the run, the worker
    /// goes back unused.
    func attach(_ worker: WorkerProcess, input: [UInt8], release: @escaping @Sendable (_ reusable: Bool) -> Void) -> Attachment {
        if worker.hasExited {
            release(false)
            return .workerWasDead
        }
        let executor = AttachedWorker(process: worker, handBack: release, limits: core.limits)
        guard core.withMachine({ $0.start(on: executor) }) else {
            release(true)
            return .invocationEnded
        }
        // The worker holds its handler: a weak reference back avoids a cycle that would
        // keep the worker (and its socket) alive forever.
        worker.setEventHandler { [self, weak worker] event in
            guard let worker else { return }
            handle(event, from: worker)
        }
        // A failed send means the worker is gone; its `ended` event reports the crash.
        worker.send(.run(invocation: id, input: input, model: model ?? ""))
        return .started
    }

    /// Ends the invocation with `failure` if it has not ended yet: marks it trapped, then
    /// kills the worker without answering it, cancels inference in flight, and resumes the
    /// caller.
    func trap(_ failure: InvocationFailure) {
        core.trap(failure)
    }

    // MARK: The worker's messages

    private func handle(_ event: WorkerEvent, from worker: WorkerProcess) {
        let message: WorkerMessage
        switch event {
        case let .ended(exit):
            core.transition { $0.executorEnded(.crashed(reason: exit.crashReason)) }
            return
        case let .message(received):
            message = received
        }
        switch message {
        case let .completeCall(invocation, call, prompt, parameters) where invocation == id:
            answer(call: call, parameters.call(input: .text(String(decoding: prompt, as: UTF8.self)), runModel: model),
                   worker: worker)
        case let .chatCall(invocation, call, messages, parameters) where invocation == id:
            answer(call: call, parameters.call(input: .chat(messages), runModel: model), worker: worker)
        case let .outputChunk(invocation, chunk) where invocation == id:
            core.recordOutput(chunk)
        case let .log(invocation, level, text) where invocation == id:
            let level = RunLogLine.Level(skillLevel: skill_log_level(bitPattern: level)) ?? .info
            core.recordLog(core.limits.logLine(level: level, message: text))
        case let .runDone(invocation, status, output, errorMessage) where invocation == id:
            core.transition { machine in
                machine.ledger.errorMessage = errorMessage.isEmpty ? nil : errorMessage
                return machine.skillReturned(status: status, returned: output)
            }
        case let .csiMisuse(invocation, function, reason) where invocation == id:
            trap(.invalidCSICall(function: function, reason: reason))
        default:
            trap(.crashed(reason: "protocol violation: the worker sent \(message.name) during invocation \(id); "
                + "the skill's process was killed"))
        }
    }

    /// Answers the worker's inference call number `call`, after checking that it may make
    /// one now: runs it (streaming the model's text to the output when it asks to) and
    /// replies on success; traps on failure.
    private func answer(call number: UInt64, _ call: InferenceCall, worker: WorkerProcess) {
        let violation = calls.withLock { calls -> String? in
            if let unanswered = calls.unanswered {
                return "\(call.function) call \(number) while call \(unanswered) is unanswered"
            }
            guard number > calls.last else {
                return "\(call.function) call \(number) after call \(calls.last): call ids must increase"
            }
            calls.last = number
            calls.unanswered = number
            return nil
        }
        if let violation {
            trap(.crashed(reason: "protocol violation: \(violation); the skill's process was killed"))
            return
        }
        // The worker checked the arguments, but skill code can write to its socket.
        do throws(InferenceError) {
            try call.request.validate()
        } catch {
            trap(call.failure(of: error))
            return
        }
        _ = core.startInference(call, on: inference) { [self] completion in
            guard let completion else { return }
            // A blocking send, so not on this pool thread: the worker's own queue sends it,
            // checking right before that the invocation still runs. The call counts as
            // answered from then on.
            worker.sendInBackground(.completeReply(
                call: number, status: SKILL_OK, text: Array(completion.text.utf8),
                promptTokens: UInt32(clamping: completion.usage.promptTokens),
                completionTokens: UInt32(clamping: completion.usage.completionTokens))
            ) { [self] in
                guard core.isRunning else { return false }
                calls.withLock { $0.unanswered = nil }
                return true
            }
        }
    }
}

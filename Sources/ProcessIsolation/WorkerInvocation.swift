import InferenceDriver
import SkillABI
import SkillRuntime
import SkillhostModel
import Synchronization

/// The daemon's side of one invocation in a worker: the per-invocation continuation, the
/// worker's messages for it, and the inference calls made on its behalf.
///
/// The worker is handed back to its pool exactly once: reusable after `run_done`, killed
/// after anything else. Every message that arrives after the invocation ended is dropped.
/// Output chunks (the worker's, and the model's text of a streamed call, which the worker
/// never sees) and log lines go to the invocation's event sink as they are recorded, until
/// it ends.
final class WorkerInvocation: Sendable {
    /// The most lines of each captured standard stream added to a run's logs.
    static let maximumCapturedLines = 200

    private struct State: ~Copyable {
        var continuation: CheckedContinuation<InvocationReport, Never>?
        var ended = false
        /// Set, before the worker is killed, by a trap: no `complete_reply` is sent from then
        /// on, so none can reach skill code ahead of the SIGKILL.
        var trapping = false
        /// A trap that came before `begin`.
        var earlyFailure: InvocationFailure?
        var acquisition: Task<Void, Never>?
        var worker: WorkerProcess?
        var release: (@Sendable (_ reusable: Bool) -> Void)?
        /// The task answering the worker's inference call, kept to cancel it if the invocation
        /// ends first. It may outlive its call: `unansweredCall` says whether one is open.
        var inferenceCall: Task<Void, Never>?
        /// The number of the inference call being answered: the worker makes them one at a
        /// time. Reserved in the same lock as the check, cleared when the reply goes out.
        var unansweredCall: UInt64?
        /// The id of the last `complete_call` or `chat_call`; ids must increase strictly.
        var lastCall: UInt64 = 0
        var output: [UInt8] = []
        var usage = RunUsage.zero
        var logs: [RunLogLine] = []
        var droppedLogLines = 0
    }

    /// The invocation number of the `run` message.
    let id: UInt64
    private let inference: any InferenceService
    private let model: String?
    private let limits: InvocationLimits
    private let state = Mutex(State())
    /// Closed once the invocation has ended, before the caller is resumed.
    private let events: RunEventGate

    /// The invocation numbered `id`, whose inference calls go to `inference` (with `model`
    /// when a call names none) and whose events go to `events`.
    init(id: UInt64, inference: any InferenceService, model: String?, limits: InvocationLimits,
         events: (@Sendable (RunEvent) -> Void)?)
    {
        self.id = id
        self.inference = inference
        self.model = model
        self.limits = limits
        self.events = RunEventGate(sink: events)
    }

    // MARK: Life cycle

    /// Installs the continuation the caller awaits. Returns false, having resumed it, when
    /// the invocation was trapped already.
    func begin(_ continuation: CheckedContinuation<InvocationReport, Never>) -> Bool {
        let report = state.withLock { state -> InvocationReport? in
            guard let failure = state.earlyFailure else {
                state.continuation = continuation
                return nil
            }
            return InvocationReport(outcome: .failure(failure), usage: .zero, logs: [])
        }
        guard let report else { return true }
        continuation.resume(returning: report)
        return false
    }

    /// Keeps the task that is getting a worker, to cancel it if the invocation ends first.
    func startAcquisition(_ task: Task<Void, Never>) {
        let ended = state.withLock { state in
            if !state.ended { state.acquisition = task }
            return state.ended
        }
        if ended { task.cancel() }
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
        let attached = state.withLock { state in
            guard !state.ended, !state.trapping else { return false }
            state.worker = worker
            state.release = release
            state.acquisition = nil
            return true
        }
        guard attached else {
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

    /// Ends the invocation with `failure` if it has not ended yet: resumes the caller at
    /// once, cancels inference in flight, and kills the worker without answering it.
    func trap(_ failure: InvocationFailure) {
        // Kill before the invocation counts as ended: a `complete_reply` that passed its
        // check just before this point reaches a process that can no longer run.
        let worker = state.withLock { state -> WorkerProcess? in
            guard !state.ended else { return nil }
            state.trapping = true
            return state.worker
        }
        worker?.kill()
        end(.failure(failure), reusable: false)
    }

    private func end(_ outcome: Result<String, InvocationFailure>, reusable: Bool) {
        struct Ending: ~Copyable {
            var continuation: CheckedContinuation<InvocationReport, Never>?
            var worker: WorkerProcess?
            var release: (@Sendable (Bool) -> Void)?
            var tasks: [Task<Void, Never>]
            var usage: RunUsage
            var logs: [RunLogLine]
        }
        let ending = state.withLock { state -> Ending? in
            guard !state.ended else { return nil }
            state.ended = true
            guard let continuation = state.continuation.take() else {
                state.earlyFailure = outcome.failureValue ?? .cancelled(reason: "the run ended before it started")
                return Ending(continuation: nil, worker: nil, release: nil,
                              tasks: state.acquisition.take().map { [$0] } ?? [], usage: .zero, logs: [])
            }
            var logs = state.logs
            if state.droppedLogLines > 0 {
                logs.append(RunLogLine(level: .warning, message: "\(state.droppedLogLines) more log lines were dropped"))
            }
            let tasks = [state.inferenceCall.take(), state.acquisition.take()].compactMap { $0 }
            return Ending(continuation: continuation, worker: state.worker.take(), release: state.release.take(),
                          tasks: tasks, usage: state.usage, logs: logs)
        }
        guard var ending else { return }
        events.close()
        if !reusable, let worker = ending.worker {
            // Kill before anything else: no skill code may run after a trap.
            worker.kill()
        }
        ending.tasks.forEach { $0.cancel() }
        if let worker = ending.worker {
            ending.logs += worker.takeCapturedOutput(
                maximumLineBytes: limits.maximumLogLineBytes, maximumLines: Self.maximumCapturedLines)
        }
        // Back to the pool before the caller resumes, so the caller sees the pool settled.
        ending.release?(reusable)
        ending.continuation?.resume(returning: InvocationReport(outcome: outcome, usage: ending.usage, logs: ending.logs))
    }

    // MARK: The worker's messages

    private func handle(_ event: WorkerEvent, from worker: WorkerProcess) {
        guard case let .message(message) = event else {
            if case let .ended(exit) = event {
                trap(.crashed(reason: exit.crashReason))
            }
            return
        }
        switch message {
        case let .completeCall(invocation, call, prompt, parameters) where invocation == id:
            answer(call: call, parameters.call(input: .text(String(decoding: prompt, as: UTF8.self)), runModel: model),
                   worker: worker)
        case let .chatCall(invocation, call, messages, parameters) where invocation == id:
            answer(call: call, parameters.call(input: .chat(messages), runModel: model), worker: worker)
        case let .outputChunk(invocation, chunk) where invocation == id:
            appendOutput(chunk)
        case let .log(invocation, level, text) where invocation == id:
            let levels: [RunLogLine.Level] = [.debug, .info, .warning, .error]
            let line = RunLogLine(level: levels.indices.contains(Int(level)) ? levels[Int(level)] : .info,
                                  message: String(decoding: text.prefix(limits.maximumLogLineBytes), as: UTF8.self))
            events.publish {
                state.withLock { state -> ((), RunEvent?) in
                    guard !state.ended else { return ((), nil) }
                    guard state.logs.count < limits.maximumLogLines else {
                        state.droppedLogLines += 1
                        return ((), nil)
                    }
                    state.logs.append(line)
                    return ((), .log(line))
                }
            }
        case let .runDone(invocation, status, output, errorMessage) where invocation == id:
            let streamed = state.withLock { $0.output }
            end(SkillOutcome.of(status: status, streamed: streamed, returned: output,
                                errorMessage: errorMessage.isEmpty ? nil : errorMessage, limits: limits),
                reusable: true)
        case let .csiMisuse(invocation, function, reason) where invocation == id:
            trap(.invalidCSICall(function: function, reason: reason))
        default:
            trap(.crashed(reason: "protocol violation: the worker sent \(message.name) during invocation \(id); "
                + "the skill's process was killed"))
        }
    }

    /// Adds `bytes` to the output and publishes them; traps the invocation when they would
    /// take it past the output limit. Does nothing once the invocation has ended.
    private func appendOutput(_ bytes: [UInt8]) {
        let fits = events.publish {
            state.withLock { state -> (Bool, RunEvent?) in
                guard !state.ended else { return (true, nil) }
                guard state.output.count + bytes.count <= limits.maximumOutputBytes else { return (false, nil) }
                state.output += bytes
                return (true, bytes.isEmpty ? nil : .output(bytes))
            }
        }
        if !fits { trap(SkillOutcome.oversizedOutput(limit: limits.maximumOutputBytes)) }
    }

    /// Answers the worker's inference call number `call`, after checking that it may make
    /// one now: runs it (streaming the model's text to the output when it asks to) and
    /// replies on success; traps on failure.
    private func answer(call number: UInt64, _ call: InferenceCall, worker: WorkerProcess) {
        let violation = state.withLock { state -> String? in
            if let unanswered = state.unansweredCall {
                return "\(call.function) call \(number) while call \(unanswered) is unanswered"
            }
            guard number > state.lastCall else {
                return "\(call.function) call \(number) after call \(state.lastCall): call ids must increase"
            }
            state.lastCall = number
            state.unansweredCall = number
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
        let inference = self.inference
        let request = call.request
        let onChunk: (@Sendable (String) -> Void)?
        if call.streamsOutput {
            onChunk = { [self] text in appendOutput(Array(text.utf8)) }
        } else {
            onChunk = nil
        }
        let task = Task { [self] in
            let completion: Completion
            do throws(InferenceError) {
                completion = try await inference.complete(request, onChunk: onChunk)
            } catch {
                trap(call.failure(of: error))
                return
            }
            let current = state.withLock { state in
                guard !state.ended, !state.trapping else { return false }
                state.usage.promptTokens += completion.usage.promptTokens
                state.usage.completionTokens += completion.usage.completionTokens
                return true
            }
            guard current else { return }
            // A blocking send, so not on this pool thread: the worker's own queue sends it,
            // checking right before that the invocation is still current. The call counts
            // as answered from then on.
            worker.sendInBackground(.completeReply(
                call: number, status: SKILL_OK, text: Array(completion.text.utf8),
                promptTokens: UInt32(clamping: completion.usage.promptTokens),
                completionTokens: UInt32(clamping: completion.usage.completionTokens))
            ) { [self] in
                state.withLock { state in
                    guard !state.ended, !state.trapping else { return false }
                    state.unansweredCall = nil
                    return true
                }
            }
        }
        let ended = state.withLock { state in
            if !state.ended { state.inferenceCall = task }
            return state.ended
        }
        if ended { task.cancel() }
    }
}

extension Result {
    /// The failure, if this is one.
    fileprivate var failureValue: Failure? {
        if case let .failure(failure) = self { return failure }
        return nil
    }
}

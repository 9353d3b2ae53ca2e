import Glibc
import InferenceDriver
import SkillABI
import SkillRuntime
import Synchronization
import WorkerProtocol

/// The worker process's side of one invocation: the CSI services behind the
/// `skill_invocation *` that the skill passes back to ``WorkerHostTable``, proxied to the
/// daemon over the channel.
///
/// `alloc` and `set_error` stay local: memory is freed by ``releaseMemory()`` once `run` has
/// returned, the message travels in `run_done`. A host call with invalid arguments sends
/// `csi_misuse` and never returns (the daemon kills the worker). A `complete_reply` whose
/// status is not `SKILL_OK` traps the invocation: that call and every later host call return
/// `SKILL_ERR_ABORTED` and send nothing, and ``finish(status:output:)`` drops what the skill
/// returns (the daemon normally kills the worker before it gets that far).
///
/// Host functions may be called from threads the skill starts: the state is behind a
/// `Mutex`, and completions are exchanged one at a time (see `exchangeLock`).
final class SkillWorkerInvocation: InferenceHost, Sendable {
    /// The longest log line or error message passed on; the daemon applies its own, smaller
    /// limits. Keeps every frame far below ``WorkerMessage/maximumFrameLength``.
    static let maximumMessageBytes = 64 << 10
    /// The largest `output_chunk` sent; longer output is split into several chunks.
    static let maximumChunkBytes = 16 << 20

    private struct State {
        var isFinished = false
        /// Why the invocation was trapped, if it was.
        var trapReason: String?
        var nextCall: UInt64 = 1
        /// Addresses of memory allocated for the skill, freed by `releaseMemory`.
        var allocations: [UInt] = []
        var errorMessage = ""

        var isOver: Bool { isFinished || trapReason != nil }
    }

    /// The daemon's number for this invocation.
    let number: UInt64
    let defaultModel: String?
    private let channel: WorkerChannel
    private let state = Mutex(State())
    // Held from sending a `complete_call` to receiving its `complete_reply`: the channel has
    // one reader, and replies must come back in the order calls were made. Completions
    // from several skill threads of one run therefore go to the daemon one after another.
    private let exchangeLock = Mutex<Void>(())

    /// An invocation numbered `number` by the daemon; `model` empty means the default model.
    init(number: UInt64, model: String, channel: WorkerChannel) {
        self.number = number
        defaultModel = model.isEmpty ? nil : model
        self.channel = channel
    }

    /// The pointer the skill receives as its `skill_invocation *`.
    var opaquePointer: OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(self).toOpaque())
    }

    /// The invocation behind a `skill_invocation *` the worker handed out.
    static func from(_ invocation: OpaquePointer) -> SkillWorkerInvocation {
        Unmanaged<SkillWorkerInvocation>.fromOpaque(UnsafeRawPointer(invocation)).takeUnretainedValue()
    }

    // MARK: The end of the run

    /// Ends the invocation once the skill's `run` has returned, and gives the messages that
    /// report it: `run_done` with the status, the message the skill set, and on `SKILL_OK`
    /// the bytes it returned (copied; longer than ``maximumChunkBytes``, they go ahead as
    /// `output_chunk`s, which the daemon joins in the same order). When the invocation was
    /// trapped, what the skill returned is dropped: `run_done` carries `SKILL_ERR_ABORTED`
    /// and the reason. Later host calls return `SKILL_ERR_ABORTED`; a completion still in
    /// flight on another skill thread is waited for.
    func finish(status: skill_status, output: skill_bytes) -> [WorkerMessage] {
        let (trapReason, errorMessage) = state.withLock { state in
            state.isFinished = true
            return (state.trapReason, state.errorMessage)
        }
        exchangeLock.withLock { _ in }
        if let trapReason {
            return [.runDone(invocation: number, status: SKILL_ERR_ABORTED, output: [], errorMessage: trapReason)]
        }
        guard status == SKILL_OK, output.len > 0, let data = output.data else {
            return [.runDone(invocation: number, status: status, output: [], errorMessage: errorMessage)]
        }
        let returned = UnsafeRawBufferPointer(start: data, count: output.len)
        guard returned.count > Self.maximumChunkBytes else {
            return [.runDone(invocation: number, status: status, output: Array(returned), errorMessage: errorMessage)]
        }
        let chunks = stride(from: 0, to: returned.count, by: Self.maximumChunkBytes).map { start in
            WorkerMessage.outputChunk(
                invocation: number, chunk: Array(returned[start..<min(start + Self.maximumChunkBytes, returned.count)]))
        }
        return chunks + [.runDone(invocation: number, status: status, output: [], errorMessage: errorMessage)]
    }

    /// Frees the memory handed to the skill; call once its `run` has returned.
    func releaseMemory() {
        let allocations = state.withLock { state in
            defer { state.allocations = [] }
            return state.allocations
        }
        for address in allocations {
            free(UnsafeMutableRawPointer(bitPattern: address))
        }
    }

    /// Whether host calls must fail with `SKILL_ERR_ABORTED` (trapped, or `run` returned).
    var hasEnded: Bool {
        state.withLock { $0.isOver }
    }

    // MARK: CSI services, called on the skill's threads

    /// Has the daemon make a checked inference call and fills the skill's `result` with its
    /// answer; invalid arguments are reported as misuse (and never return).
    func perform(_ checked: Result<InferenceCall, CompletionParameters.InvalidCSICall>,
                 result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        let call: InferenceCall
        switch checked {
        case let .success(valid):
            call = valid
        case let .failure(invalid):
            misuse(function: invalid.function, reason: invalid.reason)
        }
        guard let result, let reply = exchange(call) else { return SKILL_ERR_ABORTED }
        guard reply.status == SKILL_OK else {
            trap("the daemon answered \(call.function) with status \(reply.status)")
            return SKILL_ERR_ABORTED
        }
        let delivered = CompletionParameters.deliver(
            text: reply.text, promptTokens: Int(reply.promptTokens), completionTokens: Int(reply.completionTokens),
            into: result
        ) { size in
            state.withLock { state -> UnsafeMutableRawPointer? in
                guard !state.isOver, let memory = malloc(size) else { return nil }
                state.allocations.append(UInt(bitPattern: memory))
                return memory
            }
        }
        return delivered ? SKILL_OK : SKILL_ERR_ABORTED
    }

    /// Sends `call` as the next `complete_call` or `chat_call` and blocks for its
    /// `complete_reply`; nil when the invocation is over. Any other answer ends the worker.
    private func exchange(_ inference: InferenceCall)
        -> (status: Int32, text: [UInt8], promptTokens: UInt32, completionTokens: UInt32)?
    {
        exchangeLock.withLock { _ in
            let call = state.withLock { state -> UInt64? in
                guard !state.isOver else { return nil }
                defer { state.nextCall += 1 }
                return state.nextCall
            }
            guard let call else { return nil }
            let parameters = WorkerInferenceParameters(inference)
            let message: WorkerMessage = switch inference.request.input {
            case let .text(prompt):
                .completeCall(invocation: number, call: call, prompt: Array(prompt.utf8), parameters: parameters)
            case let .chat(messages):
                .chatCall(invocation: number, call: call, messages: messages, parameters: parameters)
            }
            do throws(WorkerProtocolError) {
                try channel.send(message)
            } catch let .frameTooLarge(length) {
                misuse(function: inference.function,
                       reason: "the \(inference.function == "chat" ? "messages" : "prompt") and parameters take "
                           + "\(length) bytes, more than the \(WorkerMessage.maximumFrameLength) a worker can pass on")
            } catch {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation,
                                      "cannot send \(message.name): \(error)")
            }
            let answer: WorkerMessage
            do throws(WorkerProtocolError) {
                answer = try channel.receive()
            } catch {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation,
                                      "no complete_reply to call \(call): \(error)")
            }
            guard case let .completeReply(replyCall, status, text, promptTokens, completionTokens) = answer,
                  replyCall == call
            else {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation,
                                      "expected complete_reply to call \(call), received \(answer.name)")
            }
            return (status, text, promptTokens, completionTokens)
        }
    }

    func writeOutput(_ chunk: skill_bytes) -> skill_status {
        // First: a skill thread still running after `run` returned must not report misuse
        // under an invocation that is over.
        guard !hasEnded else { return SKILL_ERR_ABORTED }
        guard chunk.len == 0 || chunk.data != nil else {
            misuse(function: "write_output", reason: "chunk.data is NULL but chunk.len is \(chunk.len)")
        }
        let bytes = UnsafeRawBufferPointer(start: chunk.data, count: chunk.len)
        var start = 0
        repeat {
            let end = min(start + Self.maximumChunkBytes, bytes.count)
            send(.outputChunk(invocation: number, chunk: Array(bytes[start..<end])))
            start = end
        } while start < bytes.count
        return SKILL_OK
    }

    func log(level: skill_log_level, message: skill_bytes) -> skill_status {
        guard !hasEnded else { return SKILL_ERR_ABORTED }
        guard (SKILL_LOG_DEBUG...SKILL_LOG_ERROR).contains(level) else { return SKILL_ERR_UNSUPPORTED }
        guard message.len == 0 || message.data != nil else {
            misuse(function: "log", reason: "message.data is NULL but message.len is \(message.len)")
        }
        let cut = UnsafeRawBufferPointer(start: message.data, count: min(message.len, Self.maximumMessageBytes))
        send(.log(invocation: number, level: UInt32(level), message: Array(cut)))
        return SKILL_OK
    }

    func allocate(size: Int) -> UnsafeMutableRawPointer? {
        state.withLock { state in
            guard !state.isOver, let memory = malloc(max(size, 1)) else { return nil }
            state.allocations.append(UInt(bitPattern: memory))
            return memory
        }
    }

    func setError(_ message: skill_bytes) {
        let length = message.data == nil ? 0 : min(message.len, Self.maximumMessageBytes)
        let text = String(decoding: UnsafeRawBufferPointer(start: message.data, count: length), as: UTF8.self)
        state.withLock { $0.errorMessage = text }
    }

    // MARK: Failures

    private func trap(_ reason: String) {
        state.withLock { state in
            if state.trapReason == nil { state.trapReason = reason }
        }
    }

    /// Sends `message`; a channel that fails ends the worker (the daemon is gone or broke
    /// the protocol, and no one would see the rest of the run).
    private func send(_ message: WorkerMessage) {
        do throws(WorkerProtocolError) {
            try channel.send(message)
        } catch {
            SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation, "cannot send \(message.name): \(error)")
        }
    }

    /// Reports a host call with invalid arguments and blocks this thread forever: the
    /// daemon traps the run and kills the worker, so no more skill code runs on it.
    private func misuse(function: String, reason: String) -> Never {
        trap("the skill called \(function) with invalid arguments: \(reason)")
        send(.csiMisuse(invocation: number, function: function, reason: reason))
        while true {
            pause()
        }
    }
}

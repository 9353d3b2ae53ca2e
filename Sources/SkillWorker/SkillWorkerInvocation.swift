import Glibc
import InferenceDriver
import SkillABI
import SkillRuntime
import SkillhostModel
import Synchronization
import WorkerProtocol

/// The worker process's side of one invocation: the CSI services the skill calls through
/// the ``HostTable``, passed on to the daemon over the channel.
///
/// `alloc` and `set_error` stay local: the memory is freed once `run` has returned, the
/// message travels in `run_done`. A host call with invalid arguments sends `csi_misuse` and
/// never returns (the daemon kills the worker). A `complete_reply` whose status is not
/// `SKILL_OK` traps the invocation: that call and every later host call return
/// `SKILL_ERR_ABORTED` and send nothing, and ``finish(status:output:)`` drops what the skill
/// returns (the daemon normally kills the worker before it gets that far).
///
/// Host functions may be called from threads the skill starts: the invocation's state is
/// its ``InvocationCore``, and completions are exchanged one at a time (see `exchange`).
final class SkillWorkerInvocation: HostServices {
    /// The longest log line or error message passed on; the daemon applies its own, smaller
    /// limits. Keeps every frame far below ``WorkerMessage/maximumFrameLength``.
    static let maximumMessageBytes = 64 << 10
    /// The largest `output_chunk` sent; longer output is split into several chunks.
    static let maximumChunkBytes = 16 << 20

    /// The daemon's number for this invocation.
    let number: UInt64
    let defaultModel: String?
    private let channel: WorkerChannel
    /// Running from the start: the worker is handed the run when the skill is about to get
    /// it. Its ledger keeps the memory and the message; the daemon keeps the rest, and
    /// applies the run's limits.
    private let core = InvocationCore<HostThread>(phase: .running, limits: InvocationLimits(), events: nil)
    /// The id of the next `complete_call` or `chat_call`, held from sending a call to
    /// receiving its `complete_reply`: the channel has one reader, and replies must come
    /// back in the order calls were made. Completions from several skill threads of one
    /// run therefore go to the daemon one after another.
    private let exchange = Mutex<UInt64>(1)

    /// An invocation numbered `number` by the daemon; `model` empty means the default model.
    init(number: UInt64, model: String, channel: WorkerChannel) {
        self.number = number
        defaultModel = model.isEmpty ? nil : model
        self.channel = channel
    }

    // MARK: The end of the run

    /// Ends the invocation once the skill's `run` has returned `status` and `output`, frees
    /// the memory handed to the skill, and gives the messages that report the run:
    /// `run_done` with the status, the message the skill set, and on `SKILL_OK` the bytes
    /// it returned (longer than ``maximumChunkBytes``, they go ahead as `output_chunk`s,
    /// which the daemon joins in the same order). When the invocation was trapped, what the
    /// skill returned is dropped: `run_done` carries `SKILL_ERR_ABORTED` and the cause.
    /// Later host calls return `SKILL_ERR_ABORTED`; a completion still in flight on another
    /// skill thread is waited for.
    func finish(status: skill_status, output: [UInt8]) -> [WorkerMessage] {
        core.transition { $0.skillReturned(status: status, returned: output) }
        // Ended: nothing changes the phase or the message from here on.
        let (trapCause, errorMessage) = core.withMachine { ($0.phase.trapCause, $0.ledger.errorMessage ?? "") }
        exchange.withLock { _ in }
        if let trapCause {
            return [.runDone(invocation: number, status: SKILL_ERR_ABORTED, output: [], errorMessage: trapCause.description)]
        }
        guard status == SKILL_OK, output.count > Self.maximumChunkBytes else {
            return [.runDone(invocation: number, status: status, output: status == SKILL_OK ? output : [],
                             errorMessage: errorMessage)]
        }
        let chunks = stride(from: 0, to: output.count, by: Self.maximumChunkBytes).map { start in
            WorkerMessage.outputChunk(
                invocation: number, chunk: Array(output[start..<min(start + Self.maximumChunkBytes, output.count)]))
        }
        return chunks + [.runDone(invocation: number, status: status, output: [], errorMessage: errorMessage)]
    }

    // MARK: CSI services, called on the skill's threads

    var hasEnded: Bool { !core.isRunning }

    /// Reports a host call with invalid arguments and blocks this thread forever: the
    /// daemon traps the run and kills the worker, so no more skill code runs on it.
    func refuse(_ call: InvalidCSICall) {
        core.trap(call.failure)
        send(.csiMisuse(invocation: number, function: call.function, reason: call.reason))
        while true {
            pause()
        }
    }

    /// Sends `call` as the next `complete_call` or `chat_call` and blocks for its
    /// `complete_reply`; nil when the invocation is over, or is now because the daemon
    /// answered with a failure. Any other answer ends the worker.
    func complete(_ inference: InferenceCall) -> HostCompletion? {
        let reply = exchange.withLock { nextCall -> (status: Int32, completion: HostCompletion)? in
            guard core.isRunning else { return nil }
            let call = nextCall
            nextCall += 1
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
                refuse(InvalidCSICall(
                    function: inference.function,
                    reason: "the \(inference.function == "chat" ? "messages" : "prompt") and parameters take "
                        + "\(length) bytes, more than the \(WorkerMessage.maximumFrameLength) a worker can pass on"))
            } catch {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation, "cannot send \(message.name): \(error)")
            }
            let answer: WorkerMessage
            do throws(WorkerProtocolError) {
                answer = try channel.receive()
            } catch {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation, "no complete_reply to call \(call): \(error)")
            }
            guard case let .completeReply(replyCall, status, text, promptTokens, completionTokens) = answer, replyCall == call else {
                SkillWorker.terminate(status: SkillWorker.ExitStatus.protocolViolation,
                                      "expected complete_reply to call \(call), received \(answer.name)")
            }
            let usage = TokenUsage(promptTokens: Int(promptTokens), completionTokens: Int(completionTokens))
            return (status, HostCompletion(text: text, usage: usage))
        }
        guard let reply else { return nil }
        guard reply.status == SKILL_OK else {
            core.trap(.inferenceFailed(cause: "the daemon answered \(inference.function) with status \(reply.status)"))
            return nil
        }
        return reply.completion
    }

    func appendOutput(_ bytes: UnsafeRawBufferPointer) -> skill_status {
        var start = 0
        repeat {
            let end = min(start + Self.maximumChunkBytes, bytes.count)
            send(.outputChunk(invocation: number, chunk: Array(bytes[start..<end])))
            start = end
        } while start < bytes.count
        return SKILL_OK
    }

    func appendLog(level: RunLogLine.Level, message: UnsafeRawBufferPointer) -> skill_status {
        let wireLevel = UInt32(level.skillLevel ?? SKILL_LOG_INFO)
        send(.log(invocation: number, level: wireLevel, message: Array(message.prefix(Self.maximumMessageBytes))))
        return SKILL_OK
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        core.withMachine { $0.allocate(byteCount: byteCount) }
    }

    func keepErrorMessage(_ message: UnsafeRawBufferPointer) {
        let text = String(decoding: message.prefix(Self.maximumMessageBytes), as: UTF8.self)
        core.withMachine { $0.ledger.errorMessage = text }
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
}

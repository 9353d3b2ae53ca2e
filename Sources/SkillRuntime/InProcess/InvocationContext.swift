import InferenceDriver
import SkillABI
import SkillhostModel

/// The host's side of one invocation in this process: the CSI services the skill calls
/// through the ``HostTable``, served on the skill's threads, over the invocation's
/// ``InvocationCore``.
///
/// The caller is resumed by the first of: the skill returning (``skillReturned(status:output:)``),
/// a CSI call failing, the deadline, or a cancel (``trap(_:)``). From that moment the
/// invocation is over for the host: every later CSI call returns `SKILL_ERR_ABORTED`, and
/// what the skill returns is dropped. Memory handed to the skill stays valid until the
/// skill's `run` really returns, because the skill may still be using it. Output chunks and
/// log lines go to the invocation's event sink as they are recorded, until it ends.
final class InvocationContext: HostServices {
    private let core: InvocationCore<HostThread>
    private let inference: any InferenceService
    let defaultModel: String?

    /// The context of one invocation that asks `inference` for text (with `model` when a
    /// call names none) and hands its events to `events`.
    init(inference: any InferenceService, model: String?, limits: InvocationLimits,
         events: (@Sendable (RunEvent) -> Void)?)
    {
        core = InvocationCore(phase: .pending, limits: limits, events: events)
        self.inference = inference
        defaultModel = model
    }

    // MARK: The invocation's life

    /// Installs the continuation the caller awaits. Returns false when the invocation was
    /// trapped already (the caller is resumed): then nothing of it may start.
    func begin(_ continuation: CheckedContinuation<InvocationReport, Never>) -> Bool {
        core.begin(continuation)
    }

    /// Marks the skill's `run` started, on its thread, just before the call. False when the
    /// invocation ended while it waited for a thread or for the skill's `init` (its deadline
    /// passed, its caller went away): then `run` must not be called.
    func start() -> Bool {
        core.withMachine { $0.start(on: nil) }
    }

    /// Ends the invocation with `failure` if it has not ended yet: resumes the caller at
    /// once and cancels the inference calls in flight.
    func trap(_ failure: InvocationFailure) {
        core.trap(failure)
    }

    /// Ends the invocation with what the skill's `run` returned, unless it ended already,
    /// and frees the memory handed to the skill, which is done with it.
    func skillReturned(status: skill_status, output: [UInt8]) {
        core.transition { $0.skillReturned(status: status, returned: output) }
    }

    // MARK: CSI services, called on the skill's threads

    var hasEnded: Bool { !core.isRunning }

    func refuse(_ call: InvalidCSICall) {
        trap(call.failure)
    }

    /// Runs `call` on the concurrency pool and blocks this (skill) thread until it ends; a
    /// streamed call writes each piece of text to the output as it arrives, on the
    /// inference's I/O thread. A failure traps the invocation.
    func complete(_ call: InferenceCall) -> HostCompletion? {
        let outcome = BlockingResult<Completion?>()
        guard core.startInference(call, on: inference, finished: { outcome.deliver($0) }) else { return nil }
        return outcome.wait().map { HostCompletion(text: Array($0.text.utf8), usage: $0.usage) }
    }

    func appendOutput(_ bytes: UnsafeRawBufferPointer) -> skill_status {
        core.recordOutput(Array(bytes)) ? SKILL_OK : SKILL_ERR_ABORTED
    }

    func appendLog(level: RunLogLine.Level, message: UnsafeRawBufferPointer) -> skill_status {
        core.recordLog(core.limits.logLine(level: level, message: message)) ? SKILL_OK : SKILL_ERR_ABORTED
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        core.withMachine { $0.allocate(byteCount: byteCount) }
    }

    func keepErrorMessage(_ message: UnsafeRawBufferPointer) {
        let text = String(decoding: message.prefix(core.limits.maximumLogLineBytes), as: UTF8.self)
        core.withMachine { $0.ledger.errorMessage = text }
    }
}

extension String {
    /// Decodes `bytes` as UTF-8; nil when they are not valid UTF-8 (or data is NULL with a length).
    package init?(skillBytes bytes: skill_bytes) {
        guard bytes.len > 0 else {
            self = ""
            return
        }
        guard let data = bytes.data else { return nil }
        let buffer = UnsafeRawBufferPointer(start: data, count: bytes.len)
        guard let decoded = String(validating: buffer, as: UTF8.self) else { return nil }
        self = decoded
    }
}

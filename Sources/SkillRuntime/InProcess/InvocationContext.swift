import Dispatch
import Glibc
import InferenceDriver
import SkillABI
import SkillhostModel
import Synchronization

/// The host's side of one invocation: the per-invocation continuation that resumes the
/// caller exactly once, and the CSI services the skill calls through the `skill_host` table.
///
/// The caller is resumed by the first of: the skill returning (`skillReturned`), a CSI call
/// failing, the deadline, or a cancel (`trap`). From that moment the invocation is over for
/// the host: every later CSI call returns `SKILL_ERR_ABORTED`, and what the skill returns is
/// dropped. Memory handed to the skill stays valid until the skill's `run` really returns
/// (`releaseMemory`), because the skill may still be using it. Output chunks and log lines
/// go to the invocation's event sink as they are recorded, until it ends.
final class InvocationContext: InferenceHost, Sendable {
    private struct State: ~Copyable {
        var continuation: CheckedContinuation<InvocationReport, Never>?
        var isTrapped = false
        /// A trap that came before `begin` (the caller was cancelled before the run started).
        var earlyFailure: InvocationFailure?
        /// Inference calls in flight, by call number: a skill may call from several threads.
        var inferenceInFlight: [UInt64: Task<Void, Never>] = [:]
        var nextCall: UInt64 = 0
        /// Addresses of memory allocated for the skill, freed by `releaseMemory`.
        var allocations: [UInt] = []
        var output: [UInt8] = []
        var errorMessage: String?
        var usage = RunUsage.zero
        var logs: [RunLogLine] = []
        var droppedLogLines = 0
    }

    private let state = Mutex(State())
    private let inference: any InferenceService
    let defaultModel: String?
    private let limits: InvocationLimits
    /// Closed once the invocation has ended, before the caller is resumed.
    private let events: RunEventGate

    /// The context of one invocation that asks `inference` for text (with `model` when a
    /// call names none) and hands its events to `events`.
    init(inference: any InferenceService, model: String?, limits: InvocationLimits,
         events: (@Sendable (RunEvent) -> Void)?)
    {
        self.inference = inference
        defaultModel = model
        self.limits = limits
        self.events = RunEventGate(sink: events)
    }

    /// The pointer the skill receives as its `skill_invocation *`.
    var opaquePointer: OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(self).toOpaque())
    }

    /// The context behind a `skill_invocation *` the host handed out.
    static func from(_ invocation: OpaquePointer) -> InvocationContext {
        Unmanaged<InvocationContext>.fromOpaque(UnsafeRawPointer(invocation)).takeUnretainedValue()
    }

    // MARK: The continuation

    /// Installs the continuation the caller awaits. Returns false, having resumed it, when
    /// the invocation was trapped already: then the skill must not be started.
    func begin(_ continuation: CheckedContinuation<InvocationReport, Never>) -> Bool {
        let report = state.withLock { state -> InvocationReport? in
            guard let failure = state.earlyFailure else {
                state.continuation = continuation
                return nil
            }
            return Self.report(.failure(failure), state)
        }
        guard let report else { return true }
        continuation.resume(returning: report)
        return false
    }

    /// Ends the invocation with `failure` if it has not ended yet: resumes the caller at
    /// once and cancels an inference call in flight.
    func trap(_ failure: InvocationFailure) {
        let (continuation, report, inferenceInFlight) = state.withLock { state in
            state.isTrapped = true
            let inFlight = Array(state.inferenceInFlight.values)
            state.inferenceInFlight = [:]
            guard let continuation = state.continuation.take() else {
                if state.earlyFailure == nil { state.earlyFailure = failure }
                return (nil as CheckedContinuation<InvocationReport, Never>?, nil as InvocationReport?, inFlight)
            }
            return (continuation, Self.report(.failure(failure), state), inFlight)
        }
        events.close()
        inferenceInFlight.forEach { $0.cancel() }
        if let continuation, let report {
            continuation.resume(returning: report)
        }
    }

    /// Ends the invocation with what the skill's `run` returned, unless it ended already.
    func skillReturned(status: skill_status, output returned: [UInt8]) {
        let (continuation, report) = state.withLock { state in
            guard let continuation = state.continuation.take() else {
                return (nil as CheckedContinuation<InvocationReport, Never>?, nil as InvocationReport?)
            }
            state.isTrapped = true
            let outcome = SkillOutcome.of(status: status, streamed: state.output, returned: returned,
                                          errorMessage: state.errorMessage, limits: limits)
            return (continuation, Self.report(outcome, state))
        }
        events.close()
        if let continuation, let report {
            continuation.resume(returning: report)
        }
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

    private static func report(_ outcome: Result<String, InvocationFailure>, _ state: borrowing State) -> InvocationReport {
        var logs = state.logs
        if state.droppedLogLines > 0 {
            logs.append(RunLogLine(level: .warning, message: "\(state.droppedLogLines) more log lines were dropped"))
        }
        return InvocationReport(outcome: outcome, usage: state.usage, logs: logs)
    }

    // MARK: CSI services, called on the skill's threads

    /// Whether the invocation has ended for the host.
    var hasEnded: Bool { state.withLock { $0.isTrapped } }

    /// Makes a checked inference call and fills the skill's `result` with its answer; traps
    /// the invocation when the arguments were invalid or the call fails.
    func perform(_ checked: Result<InferenceCall, CompletionParameters.InvalidCSICall>,
                 result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        let call: InferenceCall
        switch checked {
        case let .success(valid):
            call = valid
        case let .failure(invalid):
            trap(invalid.failure)
            return SKILL_ERR_ABORTED
        }
        guard let result, let answer = awaitInference(call) else { return SKILL_ERR_ABORTED }
        let value: Completion
        switch answer {
        case let .failure(error):
            trap(call.failure(of: error))
            return SKILL_ERR_ABORTED
        case let .success(completion):
            value = completion
        }
        let delivered = CompletionParameters.deliver(
            text: Array(value.text.utf8), promptTokens: value.usage.promptTokens,
            completionTokens: value.usage.completionTokens, into: result
        ) { size in
            state.withLock { state -> UnsafeMutableRawPointer? in
                guard !state.isTrapped, let memory = malloc(size) else { return nil }
                state.allocations.append(UInt(bitPattern: memory))
                state.usage.promptTokens += value.usage.promptTokens
                state.usage.completionTokens += value.usage.completionTokens
                return memory
            }
        }
        return delivered ? SKILL_OK : SKILL_ERR_ABORTED
    }

    /// Runs `call` on the concurrency pool and blocks this (skill) thread until it ends;
    /// nil when the invocation was trapped before or while it ran. A streamed call writes
    /// each piece of text to the output as it arrives, on the inference's I/O thread.
    private func awaitInference(_ call: InferenceCall) -> Result<Completion, InferenceError>? {
        let outcome = BlockingResult<Result<Completion, InferenceError>>()
        let inference = self.inference
        let request = call.request
        let onChunk: (@Sendable (String) -> Void)?
        if call.streamsOutput {
            onChunk = { [self] text in _ = appendOutput(Array(text.utf8)) }
        } else {
            onChunk = nil
        }
        let task = Task {
            do throws(InferenceError) {
                outcome.deliver(.success(try await inference.complete(request, onChunk: onChunk)))
            } catch {
                outcome.deliver(.failure(error))
            }
        }
        let number = state.withLock { state -> UInt64? in
            guard !state.isTrapped else { return nil }
            let number = state.nextCall
            state.nextCall += 1
            state.inferenceInFlight[number] = task
            return number
        }
        guard let number else {
            task.cancel()
            return nil
        }
        let result = outcome.wait()
        let stillCurrent = state.withLock { state in
            state.inferenceInFlight[number] = nil
            return !state.isTrapped
        }
        return stillCurrent ? result : nil
    }

    func writeOutput(_ chunk: skill_bytes) -> skill_status {
        guard chunk.len == 0 || chunk.data != nil else {
            trap(.invalidCSICall(function: "write_output", reason: "chunk.data is NULL but chunk.len is \(chunk.len)"))
            return SKILL_ERR_ABORTED
        }
        return appendOutput(Array(UnsafeRawBufferPointer(start: chunk.data, count: chunk.len))) ? SKILL_OK : SKILL_ERR_ABORTED
    }

    /// Adds `bytes` to the output and publishes them; traps the invocation when they would
    /// take it past the output limit. Returns whether they were taken (false when the
    /// invocation is over, or is now).
    private func appendOutput(_ bytes: [UInt8]) -> Bool {
        let taken = events.publish {
            state.withLock { state -> (Bool?, RunEvent?) in
                guard !state.isTrapped else { return (nil, nil) }
                guard state.output.count + bytes.count <= limits.maximumOutputBytes else { return (false, nil) }
                state.output.append(contentsOf: bytes)
                return (true, bytes.isEmpty ? nil : .output(bytes))
            }
        }
        if taken == false { trap(SkillOutcome.oversizedOutput(limit: limits.maximumOutputBytes)) }
        return taken == true
    }

    func log(level: skill_log_level, message: skill_bytes) -> skill_status {
        guard message.len == 0 || message.data != nil else {
            trap(.invalidCSICall(function: "log", reason: "message.data is NULL but message.len is \(message.len)"))
            return SKILL_ERR_ABORTED
        }
        let levels: [RunLogLine.Level] = [.debug, .info, .warning, .error]
        guard levels.indices.contains(Int(level)) else { return SKILL_ERR_UNSUPPORTED }
        let cut = skill_bytes(data: message.data, len: min(message.len, limits.maximumLogLineBytes))
        let text = String(skillBytes: cut) ?? String(decoding: UnsafeRawBufferPointer(start: cut.data, count: cut.len), as: UTF8.self)
        let line = RunLogLine(level: levels[Int(level)], message: text)
        return events.publish {
            state.withLock { state -> (skill_status, RunEvent?) in
                guard !state.isTrapped else { return (SKILL_ERR_ABORTED, nil) }
                guard state.logs.count < limits.maximumLogLines else {
                    state.droppedLogLines += 1
                    return (SKILL_OK, nil)
                }
                state.logs.append(line)
                return (SKILL_OK, .log(line))
            }
        }
    }

    func allocate(size: Int) -> UnsafeMutableRawPointer? {
        state.withLock { state in
            guard !state.isTrapped, let memory = malloc(max(size, 1)) else { return nil }
            state.allocations.append(UInt(bitPattern: memory))
            return memory
        }
    }

    func setError(_ message: skill_bytes) {
        guard message.len == 0 || message.data != nil else {
            trap(.invalidCSICall(function: "set_error", reason: "message.data is NULL but message.len is \(message.len)"))
            return
        }
        let cut = skill_bytes(data: message.data, len: min(message.len, limits.maximumLogLineBytes))
        let text = String(decoding: UnsafeRawBufferPointer(start: cut.data, count: cut.len), as: UTF8.self)
        state.withLock { $0.errorMessage = text }
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

import Dispatch
import Glibc
import InferenceDriver
import Registry
import SkillABI
import Synchronization

/// The host's side of one invocation: the per-invocation continuation that resumes the
/// caller exactly once, and the CSI services the skill calls through the `skill_host` table.
///
/// The caller is resumed by the first of: the skill returning (`skillReturned`), a CSI call
/// failing, the deadline, or a cancel (`trap`). From that moment the invocation is over for
/// the host: every later CSI call returns `SKILL_ERR_ABORTED`, and what the skill returns is
/// dropped. Memory handed to the skill stays valid until the skill's `run` really returns
/// (`releaseMemory`), because the skill may still be using it.
final class InvocationContext: Sendable {
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
    private let model: String?
    private let limits: InvocationLimits

    init(inference: any InferenceService, model: String?, limits: InvocationLimits) {
        self.inference = inference
        self.model = model
        self.limits = limits
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
    private var isTrapped: Bool { state.withLock { $0.isTrapped } }

    func completeText(prompt: skill_bytes, params: UnsafePointer<skill_complete_params>?,
                      result: UnsafeMutablePointer<skill_completion>?) -> skill_status
    {
        guard !isTrapped else { return SKILL_ERR_ABORTED }
        let request: CompletionRequest
        switch CompletionParameters.request(prompt: prompt, params: params, result: result, defaultModel: model) {
        case let .success(valid):
            request = valid
        case let .failure(failure):
            trap(failure)
            return SKILL_ERR_ABORTED
        }
        guard let result, let answer = awaitInference(request) else { return SKILL_ERR_ABORTED }
        let value: Completion
        switch answer {
        case let .failure(error):
            trap(.inferenceFailed(cause: error.description))
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

    /// Runs `request` on the concurrency pool and blocks this (skill) thread until it ends;
    /// nil when the invocation was trapped before or while it ran.
    private func awaitInference(_ request: CompletionRequest) -> Result<Completion, InferenceError>? {
        let outcome = BlockingResult<Result<Completion, InferenceError>>()
        let inference = self.inference
        let task = Task {
            do throws(InferenceError) {
                outcome.deliver(.success(try await inference.complete(request)))
            } catch {
                outcome.deliver(.failure(error))
            }
        }
        let call = state.withLock { state -> UInt64? in
            guard !state.isTrapped else { return nil }
            let call = state.nextCall
            state.nextCall += 1
            state.inferenceInFlight[call] = task
            return call
        }
        guard let call else {
            task.cancel()
            return nil
        }
        let result = outcome.wait()
        let stillCurrent = state.withLock { state in
            state.inferenceInFlight[call] = nil
            return !state.isTrapped
        }
        return stillCurrent ? result : nil
    }

    func writeOutput(_ chunk: skill_bytes) -> skill_status {
        guard chunk.len == 0 || chunk.data != nil else {
            trap(.invalidCSICall(function: "write_output", reason: "chunk.data is NULL but chunk.len is \(chunk.len)"))
            return SKILL_ERR_ABORTED
        }
        let bytes = UnsafeRawBufferPointer(start: chunk.data, count: chunk.len)
        let exceeded = state.withLock { state -> Bool? in
            guard !state.isTrapped else { return nil }
            guard state.output.count + bytes.count <= limits.maximumOutputBytes else { return true }
            state.output.append(contentsOf: bytes)
            return false
        }
        switch exceeded {
        case nil:
            return SKILL_ERR_ABORTED
        case true:
            trap(SkillOutcome.oversizedOutput(limit: limits.maximumOutputBytes))
            return SKILL_ERR_ABORTED
        case false:
            return SKILL_OK
        }
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
        return state.withLock { state in
            guard !state.isTrapped else { return SKILL_ERR_ABORTED }
            if state.logs.count < limits.maximumLogLines {
                state.logs.append(RunLogLine(level: levels[Int(level)], message: text))
            } else {
                state.droppedLogLines += 1
            }
            return SKILL_OK
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
    init?(skillBytes bytes: skill_bytes) {
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

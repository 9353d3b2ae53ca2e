import InferenceDriver
import SkillABI
import SkillhostModel

/// The CSI services behind one invocation's `skill_invocation *`, as a host provides them:
/// in this process (``InvocationContext``), or in a worker process, which passes most of
/// them on to the daemon. ``HostTable`` checks every call's arguments the same way for both
/// and calls these with valid ones only, while ``hasEnded`` is false.
package protocol HostServices: AnyObject, Sendable {
    /// The model of a completion whose parameters name none (the run's model); nil: the default.
    var defaultModel: String? { get }
    /// Whether the invocation is over for host calls, which then return `SKILL_ERR_ABORTED`
    /// (`alloc`: NULL) and do nothing.
    var hasEnded: Bool { get }

    /// Ends the invocation for a host call made with invalid arguments, as this host ends
    /// it. A worker process reports it to the daemon and never returns.
    func refuse(_ call: InvalidCSICall)

    /// Makes the inference call and returns its answer; nil when the invocation is over,
    /// or is now because the call failed (which traps it).
    func complete(_ call: InferenceCall) -> HostCompletion?

    /// Adds `bytes` to the run's output (`write_output`).
    func appendOutput(_ bytes: UnsafeRawBufferPointer) -> skill_status

    /// Logs `message` at `level` (`log`).
    func appendLog(level: RunLogLine.Level, message: UnsafeRawBufferPointer) -> skill_status

    /// Memory of `byteCount` (at least 1) bytes, valid until the run's `run` returns; nil
    /// when the invocation is over or memory ran out.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer?

    /// Keeps `message` as the run's error message (`set_error`).
    func keepErrorMessage(_ message: UnsafeRawBufferPointer)
}

/// The answer to an inference call, as a host hands it to the skill.
package struct HostCompletion: Sendable, Equatable {
    /// The generated text, UTF-8.
    package var text: [UInt8]
    /// The tokens of the prompt and of the text.
    package var usage: TokenUsage

    /// An answer of `text` that used `usage`.
    package init(text: [UInt8], usage: TokenUsage) {
        self.text = text
        self.usage = usage
    }
}

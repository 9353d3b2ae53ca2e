import Dispatch
import SkillhostModel

/// Why an invocation did not produce output. Each case maps to the run status and the
/// error kind stored with the run and sent to the caller.
public enum InvocationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The skill returned `SKILL_ERR_FAILED`, with the message it set.
    case skillFailed(message: String)
    /// The skill returned `SKILL_ERR_INVALID_INPUT`, with the message it set.
    case invalidInput(message: String)
    /// A CSI inference call failed; the invocation was trapped.
    case inferenceFailed(cause: String)
    /// The skill called a host function with invalid arguments; the invocation was trapped.
    case invalidCSICall(function: String, reason: String)
    /// The deadline passed; the invocation was trapped.
    case timedOut(after: Duration)
    /// The run was cancelled (its client went away, or the daemon is shutting down).
    case cancelled(reason: String)
    /// The skill returned output that cannot be stored (not UTF-8, or too large).
    case invalidOutput(reason: String)
    /// The skill could not be loaded or initialised for this run.
    case loadFailed(message: String)
    /// The skill's worker process died before the run ended (a signal, an exit status, or a
    /// protocol violation), with the tail of its stderr; `reason` says which.
    case crashed(reason: String)
    /// The runner had no room for another run.
    case overloaded(reason: String)

    /// The error kind the run is recorded and answered with.
    public var kind: ErrorKind {
        switch self {
        case .skillFailed, .invalidOutput, .loadFailed: .skillFailed
        case .invalidInput: .invalidInput
        case .inferenceFailed: .inferenceFailed
        case .invalidCSICall: .invalidCSICall
        case .timedOut: .timeout
        case .cancelled: .cancelled
        case .crashed: .crashed
        case .overloaded: .overloaded
        }
    }

    /// The final status of a run that failed this way.
    public var runStatus: RunStatus {
        switch self {
        case .timedOut: .timeout
        case .cancelled: .cancelled
        case .crashed: .crashed
        default: .failed
        }
    }

    public var description: String {
        switch self {
        case let .skillFailed(message): "the skill failed: \(message)"
        case let .invalidInput(message): "the skill refused its input: \(message)"
        case let .inferenceFailed(cause): "inference failed: \(cause)"
        case let .invalidCSICall(function, reason): "the skill called \(function) with invalid arguments: \(reason)"
        case let .timedOut(after): "the run passed its deadline of \(after.formattedMilliseconds)"
        case let .cancelled(reason): "the run was cancelled: \(reason)"
        case let .invalidOutput(reason): "the skill returned invalid output: \(reason)"
        case let .loadFailed(message): "the skill could not be loaded: \(message)"
        case let .crashed(reason): reason
        case let .overloaded(reason): reason
        }
    }
}

extension Duration {
    /// Milliseconds, as "250 ms" or "1.5 s".
    var formattedMilliseconds: String {
        let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        return milliseconds < 1000 ? "\(Int(milliseconds.rounded())) ms" : "\(milliseconds / 1000) s"
    }

    /// The duration as a Dispatch interval (nanoseconds, saturating).
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .never : .nanoseconds(Int(nanoseconds + attoseconds / 1_000_000_000))
    }

    /// The duration in milliseconds, fractional.
    package var milliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

/// Where a run is in its life: `queued → running → succeeded | failed | timeout | crashed |
/// cancelled | interrupted`.
public enum RunStatus: String, Sendable, CaseIterable {
    /// Accepted, waiting for a worker.
    case queued
    /// The skill is executing.
    case running
    /// The skill returned its output.
    case succeeded
    /// The skill or a CSI call failed; the run's error kind and message say how.
    case failed
    /// The run passed its deadline.
    case timeout
    /// The worker died (a signal or an exit status).
    case crashed
    /// A caller cancelled the run.
    case cancelled
    /// The daemon stopped while the run was unfinished; set at the next start.
    case interrupted

    /// The states a run starts in and may leave.
    public static let unfinished: [RunStatus] = [.queued, .running]

    /// Whether the state is final: written once and never changed.
    public var isFinal: Bool {
        switch self {
        case .queued, .running:
            return false
        case .succeeded, .failed, .timeout, .crashed, .cancelled, .interrupted:
            return true
        }
    }

    /// The error kind of a run that ended in this state, where the state alone says it: what
    /// a run without a recorded kind failed with. `nil` for a run that did not fail.
    public var impliedErrorKind: ErrorKind? {
        switch self {
        case .queued, .running, .succeeded: nil
        case .failed: .skillFailed
        case .timeout: .timeout
        case .crashed: .crashed
        case .cancelled: .cancelled
        case .interrupted: .interrupted
        }
    }
}

import SkillhostModel

/// Which failed attempts of a batch item are tried again, and after how long: exponential
/// backoff with jitter, `baseDelay × 2^(attempt − 1)` capped at `maximumDelay`, of which a
/// random part between a half and the whole is waited, so that items failing together do not
/// retry in lockstep.
public struct BatchRetryPolicy: Sendable {
    /// The error kinds of failures that can pass: the model server may answer next time, a
    /// slow run may be quicker, a crash may not recur, an interrupted run never finished.
    /// Anything else (`skill_failed`, `invalid_input`, `invalid_csi_call`, ...) would fail
    /// again the same way, and is not retried.
    public static let retryableKinds: Set<ErrorKind> = [.inferenceFailed, .timeout, .crashed, .interrupted]

    /// The delay before the first retry (before jitter).
    public var baseDelay: Duration
    /// The longest delay before any retry (before jitter).
    public var maximumDelay: Duration

    /// A policy; the defaults suit a daemon (1 s, doubling, at most 1 min); tests pass a few
    /// milliseconds.
    public init(baseDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60)) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// Whether a failure of `kind` can pass on a retry.
    public func isRetryable(_ kind: ErrorKind) -> Bool {
        Self.retryableKinds.contains(kind)
    }

    /// How long to wait before trying again after the `attempt`-th attempt (from 1) failed.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let doublings = min(max(attempt - 1, 0), 30)
        let full = min(baseDelay * (1 << doublings), maximumDelay)
        return full / 2 + full / 2 * Double.random(in: 0...1)
    }
}

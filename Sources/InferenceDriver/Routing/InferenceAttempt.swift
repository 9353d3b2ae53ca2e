/// One attempt the router sent to an endpoint, as its observer sees it when it ends.
public struct InferenceAttempt: Sendable {
    /// How it ended.
    public enum Outcome: String, Sendable {
        /// The endpoint answered.
        case succeeded
        /// It failed: a connection error, an HTTP error, a malformed answer.
        case failed
        /// The caller was cancelled before or while it was sent.
        case cancelled
    }

    /// The logical model it was for.
    public var model: String
    /// The endpoint it went to.
    public var endpoint: String
    /// How it ended.
    public var outcome: Outcome
    /// From its start to its end.
    public var duration: Duration
}

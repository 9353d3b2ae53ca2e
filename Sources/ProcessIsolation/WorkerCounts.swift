/// The worker processes of a ``ProcessRunner`` at one moment, and since it started.
public struct WorkerCounts: Sendable, Equatable {
    /// Workers loaded and waiting for a run.
    public var idle: Int
    /// Workers checked out by runs (loading for one included).
    public var busy: Int
    /// Workers loading in the background, to wait idle for the next run.
    public var starting: Int
    /// Workers started since the runner was made.
    public var spawned: Int
    /// Workers that died on their own (a crash, a signal, an exit) during a run or while idle.
    public var crashed: Int
}

/// The worker processes of a ``ProcessRunner`` at one moment, and since it started.
public struct WorkerCounts: Sendable, Equatable {
    /// Workers loaded and waiting for a run.
    public var idle: Int
    /// Workers running a run, or loading for one or for the pool.
    public var busy: Int
    /// Workers started since the runner was made.
    public var spawned: Int
    /// Workers that died on their own (a crash, a signal, an exit) during a run or while idle.
    public var crashed: Int
}

/// Where a skill's code runs.
public enum IsolationMode: String, Sendable, CaseIterable {
    /// In a worker process of its own: a crash or a hang kills only the worker. The default.
    case process
    /// On a thread of the daemon: microsecond overhead, for skills the operator trusts.
    case inprocess
}

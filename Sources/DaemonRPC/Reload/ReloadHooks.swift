import SkillDaemon

/// The one place a reload of the configuration tells the outside world that it starts and
/// that it is over, such as a service manager's "reloading" and "ready" notifications. Both
/// are called on the reload's own thread, in that order, once per reload, the second with
/// how it ended (applied or refused: the daemon serves on either way).
public struct ReloadHooks: Sendable {
    /// Called when a reload starts, before the config file is read.
    public var started: @Sendable () -> Void
    /// Called when it is over, its outcome logged and recorded for `host.status`.
    public var finished: @Sendable (ReloadOutcome) -> Void

    /// Hooks that call `started` and `finished`.
    public init(started: @escaping @Sendable () -> Void, finished: @escaping @Sendable (ReloadOutcome) -> Void) {
        self.started = started
        self.finished = finished
    }
}

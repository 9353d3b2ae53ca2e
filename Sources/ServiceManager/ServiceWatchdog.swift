import SystemCalls

/// The watchdog's keep-alives: `WATCHDOG=1` every half of the service manager's timeout, each
/// sent only once the process proved it is alive.
///
/// The keep-alives come from a task on Swift's concurrency pool, not from a thread of their
/// own: a thread would go on sending them while the pool, where every request is handled,
/// is deadlocked or starved, and the service manager would never restart a daemon that
/// serves nobody. Before each one the task also asks `check` about what it cannot see from
/// the pool (the server's accepting thread, the descriptors the process serves with); while
/// `check` finds something wrong, no keep-alive goes out, and the service manager stops and
/// restarts the process once its timeout passes.
public enum ServiceWatchdog {
    /// What the watchdog reports, for the log.
    public enum Event: Sendable, Equatable {
        /// `check` found the process not alive, for this reason: keep-alives stop.
        case unhealthy(String)
        /// `check` finds it alive again: keep-alives go on.
        case healthy
        /// A keep-alive could not be sent (the first failure of a series).
        case sendFailed(SystemCallError)
    }

    /// Starts sending `notifier`'s keep-alives; see the type's documentation. `check` returns
    /// nil while the process is alive, or why it is not; `report` hears of every change.
    /// Cancel the task to stop (at shutdown, once `STOPPING=1` is sent).
    /// - Returns: the task, or nil when the service manager does not watch the process.
    public static func start(notifier: ServiceNotifier, check: @escaping @Sendable () -> String?,
                             report: @escaping @Sendable (Event) -> Void) -> Task<Void, Never>? {
        guard let timeout = notifier.watchdogTimeout, notifier.socketAddress != nil else { return nil }
        let interval = timeout / 2
        return Task.detached {
            var problem: String?
            var sendFailing = false
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                let found = check()
                if found != problem {
                    report(found.map(Event.unhealthy) ?? .healthy)
                    problem = found
                }
                if found == nil {
                    do throws(SystemCallError) {
                        try notifier.keepAlive()
                        sendFailing = false
                    } catch {
                        if !sendFailing { report(.sendFailed(error)) }
                        sendFailing = true
                    }
                }
                next = next.advanced(by: interval)
                if next < clock.now { next = clock.now }
                try? await Task.sleep(until: next, clock: clock)
            }
        }
    }
}

import Synchronization

/// What the reloads of the configuration left to show (`host.status`): the last one's
/// outcome, and the settings whose new value waits for a restart. A `Mutex`: the reload
/// writes it on its own thread, status requests read it without suspending.
public final class ReloadRecord: Sendable {
    private let state = Mutex<(last: ReloadOutcome?, restartNeeded: [ConfigurationChange])>((nil, []))

    /// An empty record: no reload yet, nothing waits for a restart.
    public init() {}

    /// The outcome of the last reload; nil before the first.
    public var last: ReloadOutcome? {
        state.withLock { $0.last }
    }

    /// The settings the config file changes that only a restart applies, as the last reload
    /// that was applied found them: the running value and the file's.
    public var restartNeeded: [ConfigurationChange] {
        state.withLock { $0.restartNeeded }
    }

    /// Records `outcome`; a reload that was applied also says what now waits for a restart.
    public func record(_ outcome: ReloadOutcome, restartNeeded: [ConfigurationChange]? = nil) {
        state.withLock { state in
            state.last = outcome
            if let restartNeeded { state.restartNeeded = restartNeeded }
        }
    }
}

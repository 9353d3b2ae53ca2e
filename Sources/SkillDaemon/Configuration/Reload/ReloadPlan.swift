import InferenceDriver

/// What a reload does, worked out before anything is applied: the configuration to put in
/// force, the changes it applies, those that need a restart, and the router's change.
public struct ReloadPlan: Sendable {
    /// The proposed configuration with the running value of every setting that needs a
    /// restart (``DaemonSetting/needingRestart``).
    public let effective: ResolvedConfiguration
    /// The changes the reload applies, in the order of ``DaemonSetting/all``.
    public let applied: [ConfigurationChange]
    /// The settings whose new value waits for a restart: the running value and the file's.
    public let restartNeeded: [ConfigurationChange]
    /// What the router does: endpoints detached, attached or replaced, the default model
    /// and the policy.
    public let routerChange: RouterChange

    /// The plan that takes the daemon from `running` (the configuration in force) to
    /// `proposed` (the one the config file, the flags and the environment make now).
    public init(from running: ResolvedConfiguration, to proposed: ResolvedConfiguration) {
        var configuration = proposed.configuration
        for setting in DaemonSetting.needingRestart {
            setting.copy(into: &configuration, from: running.configuration)
        }
        effective = ResolvedConfiguration(configuration: configuration, models: proposed.models, keys: proposed.keys,
                                          httpTLS: proposed.httpTLS)
        let changes = running.changes(to: proposed)
        applied = changes.filter { $0.reloadEffect == .applied }
        restartNeeded = changes.filter { $0.reloadEffect == .needsRestart }
        routerChange = running.routerChange(to: proposed)
    }
}

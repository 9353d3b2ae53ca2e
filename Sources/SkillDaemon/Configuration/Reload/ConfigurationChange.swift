/// One setting whose value differs between two configurations, as a reload reports it: the
/// setting's name (a config file key such as `log_level`, or a place in `models` such as
/// `models.gemma.endpoints.gemma-1.url`), its values as they would be given, and whether the
/// reload applies it. Never an API key: an endpoint's key shows as where it comes from.
public struct ConfigurationChange: Sendable, Equatable, CustomStringConvertible {
    /// The setting, or the place in `models`.
    public var setting: String
    /// The value in force before; nil: none (not given, or an endpoint that was not there).
    public var old: String?
    /// The new value; nil: none.
    public var new: String?
    /// Whether a reload applies it, or only a restart.
    public var reloadEffect: DaemonSetting.ReloadEffect

    /// Creates a change.
    public init(setting: String, old: String?, new: String?, reloadEffect: DaemonSetting.ReloadEffect = .applied) {
        self.setting = setting
        self.old = old
        self.new = new
        self.reloadEffect = reloadEffect
    }

    /// "max_concurrent_runs: 256 -> 8", with "none" for an absent value.
    public var description: String {
        "\(setting): \(old ?? "none") -> \(new ?? "none")"
    }
}

import JSON

/// One thing skillhostd can be told, declared once: its name (the config file key, and with
/// dashes the flag), where it may be given, the value it takes, its default, its help line,
/// and whether a reload applies it. ``all`` is the table that skillhostd's command-line
/// parser, `skillhostd --help`, the README's settings table and reloads are made from.
public struct DaemonSetting: Sendable, Equatable {
    /// What a reload (SIGHUP) does with a new value of a setting.
    public enum ReloadEffect: String, Sendable, Equatable {
        /// Applies it: to what starts after the reload (runs, connections, workers,
        /// inference requests), and to the log at once.
        case applied
        /// Keeps the running value, and reports the new one as needing a restart.
        case needsRestart = "restart"
    }

    /// Where a setting may be given.
    public struct Origins: OptionSet, Sendable {
        /// As a flag of skillhostd, `--name VALUE` or `--name=VALUE`.
        public static let commandLine = Origins(rawValue: 1 << 0)
        /// As a key of the JSON config file.
        public static let configFile = Origins(rawValue: 1 << 1)
        /// On the command line and in the config file; the flag wins.
        public static let everywhere: Origins = [.commandLine, .configFile]

        /// The bits of the set.
        public let rawValue: Int

        /// Creates a set of origins from its bits.
        public init(rawValue: Int) {
            self.rawValue = rawValue
        }
    }

    /// A setting's default, as documentation shows it.
    public enum Default: Sendable, Equatable {
        /// A value as it would be given (`5000`, `info`).
        case value(String)
        /// A default that depends on the environment or on other settings, in words.
        case described(String)
    }

    /// What giving a setting does.
    enum Effect: Sendable {
        /// Reads the config file the value names (`--config`), before any flag applies.
        case readsConfigFile
        /// Sets part of the configuration from the value.
        case configures(@Sendable (inout DaemonConfiguration, SettingInput) throws(ConfigurationError) -> Void)
    }

    /// The config file's key (`data_dir`); the flag is the same with dashes (`--data-dir`).
    public let name: String
    /// Where it may be given.
    public let origins: Origins
    /// What its value is called in usage lines (`DIR`, `N`, `URL`).
    public let placeholder: String
    /// What a value must be, completing "`name` must be ...".
    public let expectation: String
    /// The only values it takes, when they are few (log levels, isolation modes); empty otherwise.
    public let choices: [String]
    /// The environment variable that sets it when neither a flag nor the config file does.
    public let environmentVariable: String?
    /// What it sets, in a line.
    public let summary: String
    /// What a reload does with a new value; ``needingRestart()`` declares a setting that
    /// only a restart can change.
    public private(set) var reloadEffect = ReloadEffect.applied
    /// Whether a command-line value is read as a whole number when it is one.
    let takesNumber: Bool
    /// What giving it does.
    let effect: Effect
    /// The default in words, for a default the built-in configuration cannot show as a value.
    private let defaultDescription: String?
    /// The setting's value in a configuration, as it would be given; nil when it has none.
    private let currentValue: @Sendable (DaemonConfiguration) -> String?
    /// Sets the setting's value in the first configuration to the second's.
    private let copyValue: @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void

    /// Declares a setting; the kinds in `DaemonSetting+Kinds.swift` fill in the value's part.
    init(name: String, origins: Origins = .everywhere, placeholder: String, expectation: String,
         choices: [String] = [], environmentVariable: String? = nil, summary: String,
         defaultDescription: String? = nil, takesNumber: Bool = false,
         value: @escaping @Sendable (DaemonConfiguration) -> String? = { _ in nil },
         copy: @escaping @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void, effect: Effect) {
        self.name = name
        self.origins = origins
        self.placeholder = placeholder
        self.expectation = expectation
        self.choices = choices
        self.environmentVariable = environmentVariable
        self.summary = summary
        self.defaultDescription = defaultDescription
        self.takesNumber = takesNumber
        self.currentValue = value
        self.copyValue = copy
        self.effect = effect
    }

    /// The setting, declared as one that only a restart changes: a reload keeps its running
    /// value and reports the new one.
    func needingRestart() -> DaemonSetting {
        var setting = self
        setting.reloadEffect = .needsRestart
        return setting
    }

    /// The flag that gives it (`--data-dir`), or nil when only the config file can.
    public var flag: String? {
        origins.contains(.commandLine) ? "--" + name.replacingOccurrences(of: "_", with: "-") : nil
    }

    /// The config file's key, or nil when only the command line can give it.
    public var configKey: String? {
        origins.contains(.configFile) ? name : nil
    }

    /// The default: as given when the built-in configuration has a value, else in words;
    /// nil when the setting is simply absent without one.
    public var `default`: Default? {
        if let defaultDescription { return .described(defaultDescription) }
        return value(in: DaemonConfiguration(environment: [:])).map(Default.value)
    }

    /// The setting's value in `configuration`, as it would be given (`5000` for 5 seconds
    /// in milliseconds); nil when it has none or it cannot be written as a flag's value.
    func value(in configuration: DaemonConfiguration) -> String? {
        currentValue(configuration)
    }

    /// Sets the setting in `configuration` to its value in `source`: how a reload keeps the
    /// running value of a setting that needs a restart.
    func copy(into configuration: inout DaemonConfiguration, from source: DaemonConfiguration) {
        copyValue(&configuration, source)
    }

    /// Settings are the same when they have the same name, which is unique in ``all``.
    public static func == (lhs: DaemonSetting, rhs: DaemonSetting) -> Bool {
        lhs.name == rhs.name
    }

    /// `text`, given after the flag, as the JSON value the config file would hold: a whole
    /// number for a numeric setting when it reads as one, else the text as a string.
    func commandLineValue(_ text: String) -> JSONValue {
        if takesNumber, let number = Int64(text) { return .int(number) }
        return .string(text)
    }
}

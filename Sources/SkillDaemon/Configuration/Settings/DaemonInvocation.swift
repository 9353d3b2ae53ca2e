import Foundation

/// What a skillhostd command line asks to serve with: the config file, and the settings
/// given as flags, in order.
public struct DaemonInvocation: Equatable, Sendable {
    /// One setting given as a flag.
    public struct Flag: Equatable, Sendable {
        /// The setting.
        public var setting: DaemonSetting
        /// The flag as it was typed (`--data-dir`).
        public var spelling: String
        /// The text after it.
        public var value: String
    }

    /// `--config FILE`; nil: the default config file, if it exists.
    public var configFile: String?
    /// The settings given as flags, which override the config file's.
    public var settings: [Flag] = []

    /// The config file read: `--config`, else the default one when it exists now; nil: none.
    public func configFilePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let configFile { return configFile }
        let defaultFile = DaemonConfiguration.defaultConfigFile(environment: environment)
        return FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil
    }

    /// This invocation with `socketPath` as its `socket` setting, after every other flag: the
    /// socket a service manager passed, which the daemon serves whatever its settings say.
    public func serving(socketPath: String) -> DaemonInvocation {
        var invocation = self
        if let socket = DaemonSetting.named("socket") {
            invocation.settings.append(Flag(setting: socket, spelling: "the socket passed by the service manager",
                                            value: socketPath))
        }
        return invocation
    }

    /// The configuration: the defaults for `environment`, then the config file, then the
    /// flags. A reload calls it again, with the environment the daemon started with, so that
    /// flags and environment keep their precedence over the file.
    ///
    /// - Throws: ``ConfigurationError`` naming the file or the flag, and what is wrong.
    public func configuration(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> DaemonConfiguration
    {
        var configuration = DaemonConfiguration(environment: environment)
        if let path = configFilePath(environment: environment) {
            try configuration.apply(configFile: path)
        }
        for flag in settings {
            try configuration.apply(flag.setting, commandLineText: flag.value, flag: flag.spelling)
        }
        return configuration
    }
}

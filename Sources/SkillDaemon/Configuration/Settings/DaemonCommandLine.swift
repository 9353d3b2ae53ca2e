/// skillhostd's command line, read against ``DaemonSetting/all``: `--help`, `--version`, or
/// the settings to serve with (`--name VALUE` or `--name=VALUE`, the config file's keys
/// with dashes).
public enum DaemonCommandLine: Equatable, Sendable {
    /// `-h` or `--help`, anywhere: print the help.
    case help
    /// `--version`, anywhere: print the version.
    case version
    /// Serve with these settings.
    case serve(DaemonInvocation)

    /// Reads `arguments` (without the program's name).
    ///
    /// - Throws: ``DaemonUsageError`` naming the argument that is wrong and what to do.
    public static func parse(_ arguments: [String]) throws(DaemonUsageError) -> DaemonCommandLine {
        if arguments.contains("-h") || arguments.contains("--help") { return .help }
        if arguments.contains("--version") { return .version }
        var invocation = DaemonInvocation()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else { throw .unexpectedArgument(argument) }
            var flag = argument
            var value: String?
            if let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard let setting = DaemonSetting.named(String(flag.dropFirst(2))) else { throw .unknownOption(flag) }
            guard setting.flag != nil else { throw .onlyInConfigFile(flag, key: setting.name) }
            guard let text = value ?? remaining.popFirst() else { throw .missingValue(flag) }
            if case .readsConfigFile = setting.effect {
                invocation.configFile = text
            } else {
                invocation.settings.append(DaemonInvocation.Flag(setting: setting, spelling: flag, value: text))
            }
        }
        return .serve(invocation)
    }
}

import JSON

/// A value given for a setting, with where it came from and how its giver spelled the
/// setting, so that a refusal speaks their terms: `--inference-retries` on the command
/// line, `inference_retries` in a config file.
struct SettingInput {
    /// The value, as JSON (a flag's text is read as the config file would hold it).
    let value: JSONValue
    /// The config file's path, or ``ConfigurationError/commandLine``.
    let source: String
    /// The setting as its giver wrote it: a flag (`--data-dir`) or a key (`data_dir`).
    let spelling: String

    /// "`spelling` must be `expectation`, not `value`".
    func refusal(_ expectation: String) -> ConfigurationError {
        ConfigurationError(source: source, message: "`\(spelling)` must be \(expectation), not \(value.serialized())")
    }

    /// "`spelling` must be `expectation`", without the value: for a value that may be a secret.
    func refusalWithoutValue(_ expectation: String) -> ConfigurationError {
        ConfigurationError(source: source, message: "`\(spelling)` must be \(expectation)")
    }

    /// "`spelling`: `message`", without the value.
    func refusal(explaining message: String) -> ConfigurationError {
        ConfigurationError(source: source, message: "`\(spelling)`: \(message)")
    }

    /// The value as a non-empty string.
    func text() throws(ConfigurationError) -> String {
        guard case let .string(string) = value, !string.isEmpty else { throw refusal("a non-empty string") }
        return string
    }

    /// The value as a whole number in `range`; otherwise refused as not `expectation`.
    func wholeNumber(in range: ClosedRange<Int64>, expectation: String) throws(ConfigurationError) -> Int64 {
        guard case let .int(number) = value, range.contains(number) else { throw refusal(expectation) }
        return number
    }
}

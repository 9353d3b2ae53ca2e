import JSONRPC

/// A run deadline as the user typed it (`--timeout 99999`, `--timeout-ms 500`), so that a
/// daemon's refusal of it names the option and the unit typed, not the `timeout_ms` param.
struct TypedTimeout: Equatable, Sendable {
    /// The option: `--timeout` or `--timeout-ms`.
    let option: String
    /// Its value, as typed.
    let text: String
    /// Whether the value is in seconds (`--timeout`); else in milliseconds.
    let inSeconds: Bool

    /// The deadline typed with `seconds` or `milliseconds`, whichever was given.
    init?(_ arguments: ParsedArguments, seconds: Option<Int64>, milliseconds: Option<Int64>? = nil) {
        if let text = arguments.text(of: seconds) {
            (option, self.text, inSeconds) = (seconds.declaration.name, text, true)
        } else if let milliseconds, let text = arguments.text(of: milliseconds) {
            (option, self.text, inSeconds) = (milliseconds.declaration.name, text, false)
        } else {
            return nil
        }
    }

    /// "--timeout 99999 s is longer than the daemon's limit of 3600 s (its setting
    /// max_run_timeout_ms)" for the daemon's refusal of a deadline over its limit (`data`:
    /// `param` `timeout_ms`, `limit_ms`, `setting`); `nil` for any other error.
    func explanation(of error: JSONRPCError) -> String? {
        guard error.data?["param"]?.stringValue == "timeout_ms", let limit = error.data?["limit_ms"]?.int64Value else {
            return nil
        }
        let setting = error.data?["setting"]?.stringValue ?? "max_run_timeout_ms"
        let typed = inSeconds ? "\(text) s" : text
        let limitText = inSeconds ? "\(Formatting.seconds(milliseconds: limit)) s" : "\(limit) ms"
        return "\(option) \(typed) is longer than the daemon's limit of \(limitText) (its setting \(setting))"
    }
}

/// What people read about skillhostd's settings, made from ``DaemonSetting/all``:
/// `skillhostd --help`, and the settings table of the README.
public enum DaemonSettingsDocument {
    /// The width `--help` wraps its lines to.
    static let lineWidth = 100
    /// Where the help line of a flag starts.
    static let summaryColumn = 28

    /// The flags that are not settings, with their help lines.
    static let otherFlags = [
        ("-h, --help", "this help"),
        ("--version", "the version"),
        ("--worker ...", "internal: a worker of process isolation, started by skillhostd itself"),
    ]

    /// What skillhostd is and does, for `--help` and the manual page.
    static let description = """
        Hosts LLM skills built as shared objects against skill_abi.h, and serves JSON-RPC 2.0 on
        a Unix socket (docs/PROTOCOL.md); `skillctl` is its client. Logs to stderr (log_format).
        Stops cleanly on SIGTERM or SIGINT. On SIGHUP it reads its config file again, with the same
        flags and environment, and applies the new settings but those marked "restart" (it keeps
        their running values and reports them); a file that is wrong is refused whole, and the
        settings in force stay. The log and host.status say what changed. One skillhostd at a
        time uses a data directory: it locks skillhostd.lock there, which holds its pid and socket.

        Under systemd (docs/SERVICE.md): it serves the socket that socket activation passes
        (LISTEN_FDS; of several, the one named rpc) instead of binding --socket, reports to
        NOTIFY_SOCKET (READY=1 once it serves, STATUS=, RELOADING=1 then READY=1 around a reload,
        STOPPING=1, watchdog keep-alives every half of WATCHDOG_USEC), and leads each log line
        with its priority when stderr is the journal (JOURNAL_STREAM). Workers see none of these
        variables or descriptors.
        """

    /// How the settings' sources rank.
    static let precedence = "flags override the file, which overrides the environment"

    /// A config file with several models.
    static let modelsExample = """
        {"models": {"gemma": {"endpoints": [
            {"name": "gemma-a", "url": "http://127.0.0.1:8080", "served_model": "gemma-3-270m",
             "api_key_env": "GEMMA_KEY", "max_concurrent": 4},
            {"url": "http://10.0.0.2:8080", "api_key_file": "/etc/skillhost/gemma.key"}]}},
         "default_model": "gemma"}
        """

    /// What an endpoint of a model has, and how API keys and the daemon's process are kept private.
    static let modelsExplanation = """
        An endpoint has `url` (required), `name` (default: <model>-<n>), `served_model` (the name sent
        to the server; default: the server's own), `api_key_env` or `api_key_file` (an absolute path
        to a file only its owner may read; a trailing newline is ignored) and `max_concurrent` (requests
        at once; default: \(EndpointConfiguration.defaultMaximumConcurrentRequests)). API keys are read when skillhostd starts and kept in memory
        only; they never appear in logs, the registry, status answers or error messages, and the
        variables they came from are removed from skillhostd's environment, their values overwritten
        where /proc/PID/environ shows them. skillhostd is not dumpable (other processes of its user
        cannot ptrace it or read its /proc files) and creates its files with umask 077. Skill workers
        inherit only PATH, HOME, USER, LOGNAME, LANG, LC_*, TZ, TMPDIR, LD_LIBRARY_PATH and SKILL_*
        variables. Endpoints attached at run time (`skillctl inference attach`) last until skillhostd stops.
        """

    /// `skillhostd --help`.
    public static var help: String {
        let settings = DaemonSetting.all.compactMap { setting in
            setting.flag.map { flag in helpEntry(flag + " " + setting.placeholder, helpLine(of: setting)) }
        }
        return """
            usage: skillhostd [--config FILE] [--SETTING VALUE ...]
                   skillhostd --help | --version

            \(description)

            Settings (config file key in brackets; \(precedence)):
            \((settings + otherFlags.map(helpEntry)).joined(separator: "\n"))

            Models (config file only): several named models, each served by one or more endpoints,
            instead of the shorthand:
            \(modelsExample.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            \(modelsExplanation)

            Exit status:
            \(DaemonExitStatus.allCases.map { helpEntry(String($0.rawValue), $0.meaning) }.joined(separator: "\n"))
            """
    }

    /// The line that starts the README's settings table.
    public static let markdownTableStart =
        "<!-- skillhostd settings: made from DaemonSetting.all; DaemonSettingsTests checks that they agree -->"
    /// The line that ends it.
    public static let markdownTableEnd = "<!-- end of skillhostd settings -->"

    /// The README's settings table, without its marker lines: every setting's flag, config
    /// file key, default, help line, and what a reload does with it.
    public static var markdownTable: String {
        let rows = DaemonSetting.all.map { setting in
            let flag = setting.flag.map { "`\($0) \(setting.placeholder)`" } ?? "(config file only)"
            let key = setting.configKey.map { "`\($0)`" } ?? "(command line only)"
            let cells = [flag, key, defaultText(of: setting, code: { "`\($0)`" }) ?? "none", described(setting),
                         reloadText(of: setting)]
            return "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        return (["| Flag | Config key | Default | What it sets | On SIGHUP |", "| --- | --- | --- | --- | --- |"] + rows)
            .joined(separator: "\n")
    }

    /// What a reload does with the setting: "applied", or "restart" for one only a restart changes.
    private static func reloadText(of setting: DaemonSetting) -> String {
        switch setting.reloadEffect {
        case .applied: "applied"
        case .needsRestart: "restart"
        }
    }

    /// The setting's summary, with the values it takes when they are few.
    static func described(_ setting: DaemonSetting) -> String {
        setting.choices.isEmpty ? setting.summary : "\(setting.summary); \(setting.expectation)"
    }

    /// The setting's default, led by its environment variable when it has one; values are
    /// written with `code`. Nil when it has neither.
    static func defaultText(of setting: DaemonSetting, code: (String) -> String) -> String? {
        let fallback: String? = switch setting.default {
        case let .value(value)?: code(value)
        case let .described(text)?: text
        case nil: nil
        }
        guard let variable = setting.environmentVariable else { return fallback }
        return code("$" + variable) + (fallback.map { ", else " + $0 } ?? "")
    }

    /// The setting's line in `--help`, in plain text: what it sets, its config file key, its
    /// default.
    private static func helpLine(of setting: DaemonSetting) -> String {
        var line = described(setting)
        if let key = setting.configKey { line += " [\(key)]" }
        if let value = defaultText(of: setting, code: { $0 }) { line += " (default: \(value))" }
        if setting.reloadEffect == .needsRestart, setting.configKey != nil { line += " (restart)" }
        return line.replacingOccurrences(of: "`", with: "")
    }

    /// `usage` in the flag column and `text` beside it, wrapped to ``lineWidth``.
    private static func helpEntry(_ usage: String, _ text: String) -> String {
        let lead = "  " + usage
        var line = lead.count + 2 <= summaryColumn
            ? lead.padding(toLength: summaryColumn, withPad: " ", startingAt: 0) : lead + "  "
        var lines: [String] = []
        var lineHasWords = false
        for word in text.split(separator: " ") {
            if lineHasWords && line.count + 1 + word.count > lineWidth {
                lines.append(line)
                line = String(repeating: " ", count: summaryColumn)
                lineHasWords = false
            }
            line += (lineHasWords ? " " : "") + word
            lineHasWords = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}

import JSON
import JSONRPC
import SkillhostProtocol

/// How skillctl shows runs: `run`, `runs`, `runs show`.
enum RunOutput {
    /// The output of `skills.run`: a string raw, any other JSON pretty-printed.
    static func renderRunResult(_ result: RunResult) -> String {
        output(result.output)
    }

    static func renderList(_ result: RunList) -> String {
        let runs = result.runs
        guard !runs.isEmpty else { return "no runs" }
        var table = TextTable(header: ["ID", "SKILL", "VERSION", "STATUS", "DURATION", "CREATED", "ERROR"])
        for run in runs {
            table.append([
                Formatting.plain(run["run_id"]),
                Formatting.plain(run["skill"]),
                Formatting.plain(run["version"]),
                Formatting.plain(run["status"]),
                run["duration_ms"]?.doubleValue.map { Formatting.duration(milliseconds: $0) } ?? "-",
                Formatting.time(run["created_at"]) ?? "-",
                run["error"].flatMap(errorText).map { Formatting.trimmed($0, to: 60) } ?? "",
            ])
        }
        return table.rendered
    }

    /// `ps`: the runs in flight, or a line saying there are none.
    static func renderActive(_ result: ActiveRuns) -> String {
        guard !result.runs.isEmpty else { return "no runs in flight" }
        var table = TextTable(header: ["RUN", "SKILL", "MODEL", "TRIGGER", "STARTED", "ELAPSED", "CALLER"])
        for run in result.runs {
            table.append([
                String(run.runID), "\(run.skill)@\(run.version)", run.model ?? "-", run.trigger,
                Formatting.time(.string(run.startedAt)) ?? run.startedAt,
                Formatting.duration(milliseconds: run.elapsedMilliseconds), caller(run),
            ])
        }
        return table.rendered
    }

    /// "uid 1000 pid 4242", with the batch or schedule of a run that no client asked for itself.
    private static func caller(_ run: ActiveRuns.Run) -> String {
        var parts: [String] = []
        if let uid = run.callerUID { parts.append("uid \(uid)") }
        if let pid = run.callerPID { parts.append("pid \(pid)") }
        if let batch = run.batchID { parts.append("batch \(batch)") }
        if let schedule = run.scheduleID { parts.append("schedule \(schedule)") }
        return parts.isEmpty ? "-" : parts.joined(separator: " ")
    }

    static func renderShow(_ run: JSONValue) -> String {
        let usage = run["usage"]
        let summary = TextTable.keyValues([
            ("run", Formatting.plain(run["run_id"])),
            ("skill", "\(Formatting.plain(run["skill"]))@\(Formatting.plain(run["version"]))"),
            ("sha256", run["sha256"]?.stringValue),
            ("status", Formatting.plain(run["status"])),
            ("error", run["error"].flatMap(errorText)),
            ("trigger", run["trigger"]?.stringValue),
            ("replay of", run["replay_of"]?.int64Value.map { "run \($0)" }),
            ("caller uid", run["caller_uid"]?.int64Value.map(String.init)),
            ("model", run["model"]?.stringValue),
            ("created", Formatting.time(run["created_at"])),
            ("started", Formatting.time(run["started_at"])),
            ("finished", Formatting.time(run["finished_at"])),
            ("duration", run["duration_ms"]?.doubleValue.map { Formatting.duration(milliseconds: $0) }),
            ("tokens", usage.flatMap { usage in
                guard let prompt = usage["prompt_tokens"]?.int64Value,
                      let completion = usage["completion_tokens"]?.int64Value else { return nil }
                return "\(prompt) prompt, \(completion) completion"
            }),
        ])
        var sections = [summary]
        for (title, key) in [("input", "input"), ("output", "output")] {
            guard let value = run[key], value != .null else { continue }
            sections.append("\(title):\n" + indented(output(value)))
        }
        return sections.joined(separator: "\n\n")
    }

    /// The lines of `runs.logs`, one per line: the level, padded, then the message.
    static func renderLogs(_ result: RunLogs) -> String {
        guard !result.logs.isEmpty else { return "(run \(result.runID) logged nothing)" }
        return result.logs.map { line in
            line.level.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0) + " " + line.message
        }.joined(separator: "\n")
    }

    /// A run's error, `{"kind", "message"}`, as "kind: message".
    private static func errorText(_ error: JSONValue) -> String? {
        guard error != .null else { return nil }
        let message = Formatting.plain(error["message"])
        return error["kind"]?.stringValue.map { "\($0): \(message)" } ?? message
    }

    private static func output(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.serialized(.pretty)
    }

    private static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}

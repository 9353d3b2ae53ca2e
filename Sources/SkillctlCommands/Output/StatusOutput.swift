import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// How `skillctl status` shows `host.status`.
enum StatusOutput {
    static func render(_ status: HostStatus) -> String {
        TextTable.keyValues([
            ("version", "\(status.version) (skill ABI \(status.abi))"),
            ("pid", String(status.pid)),
            ("uptime", Formatting.duration(milliseconds: status.uptimeMilliseconds)),
            ("socket", status.socket),
            ("data", status.dataDirectory),
            ("skills", String(status.skills)),
            ("runs", "\(status.runs.total) total, \(status.runs.running) running"),
            ("skill runs", skillActivity(status.skillActivity)),
            ("models", models(status.inference)),
            ("endpoints", endpoints(status.inference)),
            ("sandbox", sandbox(status.sandbox)),
            ("stuck threads", stuckThreads(status.stuckSkillThreads)),
            ("last reload", reload(status.reload)),
            ("restart needed", restartNeeded(status.restartNeeded)),
        ])
    }

    /// "none since the start", or how the last reload ended and what it changed, a line each:
    /// "applied at 2026-12-04T19:00:00.000Z from /etc/skillhost/config.json, 1 change" and
    /// "  log_level: info -> debug"; or "refused at ...: the reason; the settings in force stay".
    private static func reload(_ reload: HostStatus.ReloadStatus?) -> String {
        guard let reload else { return "none since the start (send SIGHUP to reload the config file)" }
        let file = reload.file.map { " from \($0)" } ?? " (no config file)"
        guard reload.outcome == "applied" else {
            return "\(reload.outcome) at \(reload.at)\(file): \(reload.error ?? "no reason given"); the settings in force stay"
        }
        guard !reload.changes.isEmpty else { return "applied at \(reload.at)\(file): nothing changed" }
        let count = reload.changes.count == 1 ? "1 change" : "\(reload.changes.count) changes"
        return (["applied at \(reload.at)\(file), \(count):"] + reload.changes.map { "  " + change($0) })
            .joined(separator: "\n")
    }

    /// Nil when nothing waits for a restart; else a line each: "socket: /run/a.sock (running) -> /run/b.sock".
    private static func restartNeeded(_ changes: [HostStatus.SettingChange]) -> String? {
        guard !changes.isEmpty else { return nil }
        return changes.map { "\($0.setting): \($0.old ?? "none") (running) -> \($0.new ?? "none")" }
            .joined(separator: "\n")
    }

    /// "max_concurrent_runs: 256 -> 8", with "none" for an absent value.
    private static func change(_ change: HostStatus.SettingChange) -> String {
        "\(change.setting): \(change.old ?? "none") -> \(change.new ?? "none")"
    }

    /// "none", or how many in-process skill threads still run past the end of their run,
    /// then one line each: "12  slow@1.0.0  2026-12-03T10:00:00+00:00  4242  nice 19".
    private static func stuckThreads(_ threads: [HostStatus.StuckSkillThread]) -> String {
        guard !threads.isEmpty else { return "none" }
        var table = TextTable(header: ["RUN", "SKILL", "SINCE", "THREAD", "PRIORITY"])
        for thread in threads {
            table.append([
                thread.runID.map(String.init) ?? "-", thread.skill ?? "-", Formatting.time(.string(thread.since)) ?? thread.since,
                thread.threadID.map(String.init) ?? "-", thread.priorityLowered ? "nice 19" : "unchanged",
            ])
        }
        let summary = threads.count == 1
            ? "1 in-process skill thread runs past the end of its run; only the skill returning ends it"
            : "\(threads.count) in-process skill threads run past the end of their runs; only the skill returning ends one"
        return summary + "\n" + table.rendered
    }

    /// A table of every installed skill version: its state and its runs since the daemon started.
    private static func skillActivity(_ skills: [HostStatus.SkillActivity]) -> String {
        guard !skills.isEmpty else { return "none installed" }
        var table = TextTable(header: ["SKILL", "STATE", "QUEUED", "IN FLIGHT", "FINISHED", "FAILED", "P50", "P99"])
        for skill in skills {
            let counters = skill.counters
            table.append([
                "\(skill.skill)@\(skill.version)", skill.state, String(counters.queued), String(counters.inFlight),
                String(counters.finished), String(counters.failed),
                counters.p50Milliseconds.map { Formatting.duration(milliseconds: $0) } ?? "-",
                counters.p99Milliseconds.map { Formatting.duration(milliseconds: $0) } ?? "-",
            ])
        }
        return "since the daemon started\n" + table.rendered
    }

    /// "on: user_namespace, pid_namespace, ...; missing: landlock (the kernel has no Landlock)".
    private static func sandbox(_ sandbox: SandboxStatus) -> String {
        guard sandbox.mode != "off" else { return "off: skills in workers have the daemon's authority" }
        guard !sandbox.layers.isEmpty else { return "\(sandbox.mode): unknown (the probe failed; see the daemon's log)" }
        return "\(sandbox.mode): \(SandboxReport(entries: sandbox.layers).summary)"
    }

    /// "gemma (default), llama", or "none configured".
    private static func models(_ inference: InferenceStatus) -> String {
        guard !inference.models.isEmpty else { return "none configured" }
        return inference.models.map { $0 == inference.defaultModel ? "\($0) (default)" : $0 }.joined(separator: ", ")
    }

    /// One line per endpoint, "gemma-1  gemma  http://127.0.0.1:8080  healthy", or nil when
    /// there are none.
    private static func endpoints(_ inference: InferenceStatus) -> String? {
        let endpoints = inference.endpoints
        guard !endpoints.isEmpty else { return nil }
        var table = TextTable(header: ["NAME", "MODEL", "URL", "HEALTH"])
        for endpoint in endpoints {
            table.append([
                Formatting.plain(endpoint["name"]), Formatting.plain(endpoint["model"]), Formatting.plain(endpoint["url"]),
                endpoint["healthy"]?.boolValue.map { $0 ? "healthy" : "unhealthy" } ?? "-",
            ])
        }
        return table.rendered
    }
}

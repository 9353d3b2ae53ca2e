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
            ("models", models(status.inference)),
            ("endpoints", endpoints(status.inference)),
            ("sandbox", sandbox(status.sandbox)),
            ("stuck threads", stuckThreads(status.stuckSkillThreads)),
        ])
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

import JSON
import JSONRPC
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
        ])
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

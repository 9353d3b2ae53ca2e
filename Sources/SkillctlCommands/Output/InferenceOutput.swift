import JSON
import JSONRPC
import SkillhostProtocol

/// How `skillctl inference ...` prints the daemon's answers for a person.
enum InferenceOutput {
    /// `inference status`: the default model, then one line per endpoint.
    static func renderStatus(_ result: InferenceStatus) -> String {
        let summary = TextTable.keyValues([
            ("default model", result.defaultModel ?? "-"),
            ("models", result.models.joined(separator: ", ")),
        ])
        let endpoints = result.endpoints
        guard !endpoints.isEmpty else {
            return summary + "\nno endpoints: attach one with `skillctl inference attach MODEL URL`"
        }
        var table = TextTable(header: ["NAME", "MODEL", "URL", "HEALTH", "LOAD", "REQUESTS", "FAILURES", "P50", "P99",
                                       "LAST ERROR"])
        for endpoint in endpoints {
            table.append([
                Formatting.plain(endpoint["name"]), Formatting.plain(endpoint["model"]), Formatting.plain(endpoint["url"]),
                health(endpoint),
                "\(Formatting.plain(endpoint["outstanding"]))/\(Formatting.plain(endpoint["max_concurrent"]))",
                Formatting.plain(endpoint["requests"]), Formatting.plain(endpoint["failures"]),
                latency(endpoint["latency_p50_ms"]), latency(endpoint["latency_p99_ms"]),
                endpoint["last_error"]?.stringValue.map { Formatting.trimmed($0, to: 80) } ?? "-",
            ])
        }
        return summary + "\n\n" + table.rendered
    }

    /// `inference models`: one line per model, the default one marked.
    static func renderModels(_ result: InferenceModelList) -> String {
        guard !result.models.isEmpty else { return "no models: attach an endpoint with `skillctl inference attach MODEL URL`" }
        var table = TextTable(header: ["MODEL", "ENDPOINTS", "HEALTHY", "DEFAULT"])
        for model in result.models {
            table.append([
                model.name, String(model.endpoints), String(model.healthy), model.name == result.defaultModel ? "yes" : "",
            ])
        }
        return table.rendered
    }

    /// `inference attach`: the endpoint that was attached.
    static func renderAttached(_ endpoint: JSONValue) -> String {
        "attached \(Formatting.plain(endpoint["name"])): model \(Formatting.plain(endpoint["model"])) at "
            + "\(Formatting.plain(endpoint["url"]))\(keySource(endpoint)) (until skillhostd stops)"
    }

    /// `inference detach`: the endpoint that was detached.
    static func renderDetached(_ endpoint: DetachedEndpoint) -> String {
        "detached \(endpoint.name) (model \(endpoint.model), \(endpoint.url))"
    }

    private static func health(_ endpoint: JSONValue) -> String {
        guard let healthy = endpoint["healthy"]?.boolValue else { return "-" }
        return healthy ? "healthy" : "unhealthy"
    }

    private static func latency(_ milliseconds: JSONValue?) -> String {
        milliseconds?.doubleValue.map { Formatting.duration(milliseconds: $0) } ?? "-"
    }

    private static func keySource(_ endpoint: JSONValue) -> String {
        endpoint["api_key_source"]?.stringValue.map { ", API key from \($0)" } ?? ""
    }
}

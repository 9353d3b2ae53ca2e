import JSON

/// How `skillctl status` shows `host.status`.
enum StatusOutput {
    static func render(_ status: JSONValue) -> String {
        let runs = status["runs"]
        return TextTable.keyValues([
            ("version", status["version"]?.stringValue.map { version in
                version + (status["abi"]?.stringValue.map { " (skill ABI \($0))" } ?? "")
            }),
            ("pid", status["pid"]?.int64Value.map(String.init)),
            ("uptime", status["uptime_ms"]?.doubleValue.map { Formatting.duration(milliseconds: $0) }),
            ("socket", status["socket"]?.stringValue),
            ("data", status["data_dir"]?.stringValue),
            ("skills", status["skills"]?.int64Value.map(String.init)),
            ("runs", runs?["total"]?.int64Value.map { total in
                "\(total) total, \(runs?["running"]?.int64Value ?? 0) running"
            }),
            ("models", models(status["inference"])),
            ("endpoints", endpoints(status["inference"])),
        ])
    }

    /// "gemma (default), llama", or "none configured".
    private static func models(_ inference: JSONValue?) -> String {
        let names = inference?["models"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !names.isEmpty else { return "none configured" }
        let defaultModel = inference?["default_model"]?.stringValue
        return names.map { $0 == defaultModel ? "\($0) (default)" : $0 }.joined(separator: ", ")
    }

    /// One line per endpoint, "gemma-1  gemma  http://127.0.0.1:8080  healthy", or nil when
    /// there are none.
    private static func endpoints(_ inference: JSONValue?) -> String? {
        let endpoints = inference?["endpoints"]?.arrayValue ?? []
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

import JSONRPC

/// How `skillctl status` shows `host.status`.
enum StatusOutput {
    static func render(_ status: JSONValue) -> String {
        let runs = status["runs"]
        let inference = status["inference"]
        var inferenceText: String?
        if let url = inference?["url"]?.stringValue {
            inferenceText = url + (inference?["model"]?.stringValue.map { " (model \($0))" } ?? "")
        }
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
            ("inference", inferenceText ?? "none configured"),
        ])
    }
}

import JSON

/// How skillctl shows batches: their record, their items, their results.
enum BatchOutput {
    /// A batch record as key-value lines.
    static func renderBatch(_ batch: JSONValue) -> String {
        let counts = batch["counts"]
        let countsText = ["done", "failed", "pending", "running", "cancelled"]
            .map { "\(Formatting.plain(counts?[$0])) \($0)" }.joined(separator: ", ")
        return TextTable.keyValues([
            ("batch", Formatting.plain(batch["batch_id"])),
            ("skill", "\(Formatting.plain(batch["skill"]))@\(Formatting.plain(batch["version"]))"),
            ("status", Formatting.plain(batch["status"])),
            ("items", "\(Formatting.plain(batch["items"])) (\(countsText))"),
            ("parallelism", Formatting.plain(batch["parallelism"])),
            ("retries", Formatting.plain(batch["retries"])),
            ("timeout ms", batch["timeout_ms"]?.int64Value.map(String.init)),
            ("created", Formatting.time(batch["created_at"])),
            ("finished", Formatting.time(batch["finished_at"])),
        ])
    }

    /// Batches as a table: ID, SKILL, STATUS, DONE/ITEMS, FAILED, CREATED.
    static func renderList(_ batches: [JSONValue]) -> String {
        guard !batches.isEmpty else { return "no batches: start one with `skillctl batch start SKILL @FILE.jsonl`" }
        var table = TextTable(header: ["ID", "SKILL", "STATUS", "DONE/ITEMS", "FAILED", "CREATED"])
        for batch in batches {
            table.append([
                Formatting.plain(batch["batch_id"]),
                "\(Formatting.plain(batch["skill"]))@\(Formatting.plain(batch["version"]))",
                Formatting.plain(batch["status"]),
                "\(Formatting.plain(batch["counts"]?["done"]))/\(Formatting.plain(batch["items"]))",
                Formatting.plain(batch["counts"]?["failed"]),
                Formatting.time(batch["created_at"]) ?? "-",
            ])
        }
        return table.rendered
    }

    /// Items as a table: INDEX, STATUS, ATTEMPTS, RUN, ERROR.
    static func renderItems(_ items: [JSONValue]) -> String {
        guard !items.isEmpty else { return "no items" }
        var table = TextTable(header: ["INDEX", "STATUS", "ATTEMPTS", "RUN", "ERROR"])
        for item in items {
            let error = item["error"].flatMap { error -> String? in
                guard let kind = error["kind"]?.stringValue else { return nil }
                return "\(kind): \(error["message"]?.stringValue ?? "")"
            }
            table.append([
                Formatting.plain(item["index"]), Formatting.plain(item["status"]), Formatting.plain(item["attempts"]),
                item["run_id"].map(Formatting.plain) ?? "-", error.map { Formatting.trimmed($0, to: 60) } ?? "",
            ])
        }
        return table.rendered
    }

    /// One line of `batch results`: `{"index","status","output","error"}`.
    static func resultLine(_ item: JSONValue) -> String {
        JSONValue.object([
            "index": item["index"] ?? .null, "status": item["status"] ?? .null,
            "output": item["output"] ?? .null, "error": item["error"] ?? .null,
        ]).serialized()
    }
}

import JSON
import JSONRPC
import SkillhostProtocol

/// How skillctl shows skill records: `install`, `list`, `show`, `remove`.
enum SkillOutput {
    static func renderInstall(_ result: InstalledSkill) -> String {
        "\(result.outcome) \(identity(result.skill))  sha256 \(shortHash(result.skill["sha256"]))"
    }

    static func renderList(_ result: SkillList) -> String {
        let skills = result.skills
        guard !skills.isEmpty else { return "no skills installed (add one with `skillctl install PATH`)" }
        var table = TextTable(header: ["NAME", "VERSION", "ISOLATION", "SIZE", "SHA256", "INSTALLED", "DESCRIPTION"])
        for skill in skills {
            table.append([
                Formatting.plain(skill["name"]),
                Formatting.plain(skill["version"]),
                Formatting.plain(skill["isolation"]),
                skill["size"]?.int64Value.map { Formatting.size(bytes: $0) } ?? "-",
                shortHash(skill["sha256"]),
                Formatting.time(skill["installed_at"]) ?? "-",
                Formatting.trimmed(Formatting.plain(skill["description"]), to: 50),
            ])
        }
        return table.rendered
    }

    /// The skills' names, each once, in the list's order, one a line.
    static func renderNames(_ result: SkillList) -> String {
        var seen: Set<String> = []
        return result.skills.compactMap { $0["name"]?.stringValue }.filter { seen.insert($0).inserted }
            .joined(separator: "\n")
    }

    static func renderShow(_ skill: JSONValue) -> String {
        TextTable.keyValues([
            ("name", Formatting.plain(skill["name"])),
            ("version", Formatting.plain(skill["version"])),
            ("description", skill["description"]?.stringValue),
            ("sha256", skill["sha256"]?.stringValue),
            ("size", skill["size"]?.int64Value.map { "\(Formatting.size(bytes: $0)) (\($0) bytes)" }),
            ("abi", skill["abi"]?.stringValue),
            ("isolation", skill["isolation"]?.stringValue),
            ("flags", skill["flags"]?.arrayValue.map { flags in
                flags.isEmpty ? "-" : flags.map { Formatting.plain($0) }.joined(separator: ", ")
            }),
            ("installed", Formatting.time(skill["installed_at"])),
            ("state", Formatting.plain(skill["state"])),
            ("runs since start", skill["activity"].map(activity)),
            ("network", Formatting.plain(skill["grants"]?["network"])),
            ("read-only paths", readOnlyPaths(skill["grants"])),
            ("process limit", limit(skill["grants"]?["process_limit"])),
            ("cpu seconds per run", limit(skill["grants"]?["cpu_seconds_per_run"])),
            ("input schema", Formatting.plain(skill["input_schema"])),
            ("output schema", Formatting.plain(skill["output_schema"])),
        ])
    }

    /// The skills a disable or an enable changed, with their states.
    static func renderStates(_ result: SkillList) -> String {
        result.skills.map { "\(reference($0)) \(Formatting.plain($0["state"]))" }.joined(separator: "\n")
    }

    static func renderDrain(_ result: DrainedSkill) -> String {
        let skills = result.skills.map(reference).joined(separator: ", ")
        let waited = "waited for \(result.waitedFor) run\(result.waitedFor == 1 ? "" : "s")"
        return result.drained
            ? "drained \(skills) (\(waited)): disabled until `skillctl skills enable`"
            : "\(skills) still draining: \(result.stillInFlight) of the \(result.waitedFor) runs in flight still run; new runs are refused"
    }

    /// A skill version's counters since the daemon started, on one line.
    static func activity(_ activity: JSONValue) -> String {
        let percentiles = [("p50", activity["p50_ms"]), ("p99", activity["p99_ms"])].compactMap { name, value in
            value?.doubleValue.map { "\(name) \(Formatting.duration(milliseconds: $0))" }
        }
        return (["\(Formatting.plain(activity["queued"])) queued", "\(Formatting.plain(activity["in_flight"])) in flight",
                 "\(Formatting.plain(activity["finished"])) finished", "\(Formatting.plain(activity["failed"])) failed"]
                + percentiles).joined(separator: ", ")
    }

    static func renderRemove(_ result: RemovedSkills) -> String {
        let removed = result.removed
        guard !removed.isEmpty else { return "nothing removed" }
        return removed.map { "removed \(identity($0))" }.joined(separator: "\n")
    }

    static func renderIsolation(_ result: SkillList) -> String {
        result.skills.map { skill in
            "\(identity(skill)) now runs \(skill["isolation"]?.stringValue == "inprocess" ? "in process" : "in a worker process")"
        }.joined(separator: "\n")
    }

    static func renderMemoryLimit(_ result: SkillList) -> String {
        result.skills.map { skill in
            let limit = skill["memory_limit_bytes"]?.int64Value
            let text = limit.map { $0 == 0 ? "no memory limit" : "a memory limit of \(Formatting.size(bytes: $0))" }
                ?? "the daemon's default memory limit"
            return "\(identity(skill)) now runs with \(text)"
        }.joined(separator: "\n")
    }

    static func renderGrants(_ result: SkillList) -> String {
        result.skills.map { skill in
            let grants = skill["grants"]
            return "\(identity(skill)) now runs with network \(Formatting.plain(grants?["network"])), "
                + "read-only paths \(readOnlyPaths(grants)), process limit \(limit(grants?["process_limit"])), "
                + "cpu seconds per run \(limit(grants?["cpu_seconds_per_run"]))"
        }.joined(separator: "\n")
    }

    /// The granted read-only paths, separated by colons, or `none`.
    private static func readOnlyPaths(_ grants: JSONValue?) -> String {
        let paths = grants?["read_only_paths"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return paths.isEmpty ? "none" : paths.joined(separator: ":")
    }

    /// A granted limit, or `default` where it is null.
    private static func limit(_ value: JSONValue?) -> String {
        value?.int64Value.map { "\($0)" } ?? "default"
    }

    /// `NAME@VERSION`, as a command takes it.
    private static func reference(_ skill: JSONValue) -> String {
        "\(Formatting.plain(skill["name"]))@\(Formatting.plain(skill["version"]))"
    }

    private static func identity(_ skill: JSONValue?) -> String {
        "\(Formatting.plain(skill?["name"])) \(Formatting.plain(skill?["version"]))"
    }

    private static func shortHash(_ value: JSONValue?) -> String {
        value?.stringValue.map { String($0.prefix(12)) } ?? "-"
    }
}

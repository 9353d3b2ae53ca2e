import Foundation
import JSON

/// One line of the results: a figure, its p50 and p99 where it has a distribution, and its
/// ratio to a baseline measured in the same run.
struct BenchRow: Sendable {
    /// The issue's figure number (1 to 5).
    var figure: Int
    /// A stable identifier, such as `call.inprocess`; baselines are named by it.
    var key: String
    /// What was measured, for people.
    var label: String
    /// The headline number (the p50 for a latency); nil when it could not be measured.
    var value: Double?
    /// The unit of `value`.
    var unit: String
    /// The median latency, in `latencyUnit`.
    var p50: Double?
    /// The 99th percentile latency, in `latencyUnit`.
    var p99: Double?
    /// The unit of `p50` and `p99`.
    var latencyUnit = "µs"
    /// Processor time the server side (the daemon and its workers, or the unrecorded host)
    /// spent per operation, in µs: less sensitive than wall time to other load on the machine.
    var serverCPU: Double?
    /// The key of the row this one is compared to.
    var baseline: String?
    /// `value` divided by the baseline's `value`; filled in by ``BenchReport``.
    var ratio: Double?
    /// The issue's target, in words.
    var target: String?
    /// Whether the target is met; nil when the row has no target or could not be measured.
    var met: Bool?
    /// Why a row is N/A, or what to know when reading it.
    var note: String?

    /// A row for a latency distribution: its value is the p50.
    static func latency(_ figure: Int, _ key: String, _ label: String, _ summary: LatencySummary?,
                        unit: String = "µs", serverCPU: Double? = nil, baseline: String? = nil, note: String? = nil) -> BenchRow {
        let scale = unit == "ms" ? 1e6 : 1e3
        return BenchRow(figure: figure, key: key, label: label, value: summary.map { $0.p50 / scale }, unit: unit,
                        p50: summary.map { $0.p50 / scale }, p99: summary.map { $0.p99 / scale }, latencyUnit: unit,
                        serverCPU: serverCPU, baseline: baseline, note: note)
    }
}

/// The rows of one run, printed as a table and written as JSON.
struct BenchReport {
    /// The rows, in the order measured.
    var rows: [BenchRow] = []
    /// Facts about the machine and the run.
    var machine: [String: JSONValue] = [:]

    /// Adds `row`, computing its ratio to its baseline when both are measured.
    mutating func add(_ row: BenchRow) {
        var row = row
        if let key = row.baseline, let base = rows.first(where: { $0.key == key }), base.unit == row.unit,
           let baseValue = base.value, let value = row.value, baseValue > 0 {
            row.ratio = value / baseValue
        }
        rows.append(row)
    }

    /// Sets the target of the row `key` and whether it is met.
    mutating func judge(_ key: String, target: String, _ met: (BenchRow) -> Bool?) {
        guard let index = rows.firstIndex(where: { $0.key == key }) else { return }
        rows[index].target = target
        rows[index].met = rows[index].value == nil ? nil : met(rows[index])
    }

    /// A Markdown table of every row.
    func table() -> String {
        var lines = ["| Fig | Measure | Value | p50 | p99 | Server CPU/op | Baseline | Ratio | Target | Met |",
                     "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | --- |"]
        for row in rows {
            let value = row.value.map { "\(Self.format($0)) \(row.unit)" } ?? "N/A"
            let p50 = row.p50.map { "\(Self.format($0)) \(row.latencyUnit)" } ?? ""
            let p99 = row.p99.map { "\(Self.format($0)) \(row.latencyUnit)" } ?? ""
            let cpu = row.serverCPU.map { "\(Self.format($0)) µs" } ?? ""
            let ratio = row.ratio.map { String(format: "%.2fx", $0) } ?? ""
            let met = row.met.map { $0 ? "yes" : "**no**" } ?? ""
            var label = row.label
            if let note = row.note { label += " (\(note))" }
            lines.append("| \(row.figure) | \(label) | \(value) | \(p50) | \(p99) | \(cpu) | \(row.baseline ?? "") | \(ratio) | \(row.target ?? "") | \(met) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The whole report as JSON.
    func json(mode: String, seconds: Double) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map { .double(($0 * 1000).rounded() / 1000) } ?? .null }
        return .object([
            "mode": .string(mode),
            "seconds": number(seconds),
            "machine": .object(machine),
            "rows": .array(rows.map { row in
                .object([
                    "figure": .int(Int64(row.figure)), "key": .string(row.key), "label": .string(row.label),
                    "value": number(row.value), "unit": .string(row.unit),
                    "p50": number(row.p50), "p99": number(row.p99), "latency_unit": .string(row.latencyUnit),
                    "server_cpu_us": number(row.serverCPU),
                    "baseline": row.baseline.map(JSONValue.string) ?? .null, "ratio": number(row.ratio),
                    "target": row.target.map(JSONValue.string) ?? .null, "met": row.met.map(JSONValue.bool) ?? .null,
                    "note": row.note.map(JSONValue.string) ?? .null,
                ])
            }),
        ])
    }

    /// Three significant digits, without exponent, thousands kept whole.
    static func format(_ value: Double) -> String {
        switch abs(value) {
        case 1000...: String(format: "%.0f", value)
        case 100..<1000: String(format: "%.1f", value)
        case 10..<100: String(format: "%.2f", value)
        default: String(format: "%.3f", value)
        }
    }
}

import Foundation
import SkillhostModel

/// The status page an operator's browser shows at `/`: a snapshot rendered as one HTML
/// document, its style and its chart inline (no other request, no script), which reloads
/// itself every ``refreshSeconds`` seconds. Every text of the snapshot is escaped
/// (``HTML/escaped(_:)``).
package struct StatusPage: Sendable {
    /// How often the page reloads itself.
    package static let refreshSeconds = 5

    /// What the page shows.
    package let snapshot: StatusSnapshot

    /// The page of `snapshot`.
    package init(snapshot: StatusSnapshot) {
        self.snapshot = snapshot
    }

    /// The whole document.
    package var html: String {
        PageLayout.document(title: "skillhost status", refreshSeconds: Self.refreshSeconds, body: [
            header, chartSection, activeRunsSection, latestRunsSection, batchesSection, endpointsSection, skillsSection,
        ].joined(separator: "\n"))
    }

    private var header: String {
        let daemon = snapshot.daemon
        let facts = [
            "version \(daemon.version)", "pid \(daemon.pid)", "up \(Self.duration(daemon.uptimeMilliseconds))",
            "\(Self.runs(daemon.runsTotal)) recorded", "as of \(snapshot.takenAt.iso8601)",
        ].map(HTML.escaped).joined(separator: " · ")
        return """
            <header><h1>skillhost</h1><p class="facts">\(facts)</p>\
            <form method="post" action="/logout"><button type="submit">Log out</button></form></header>
            """
    }

    private var chartSection: String {
        let counts = snapshot.runsPerMinute.counts
        return """
            <section><h2>Runs per minute, last \(counts.count) minutes (\(Self.runs(counts.reduce(0, +))))</h2>
            \(RunsPerMinuteChart(counts: counts, endingAt: snapshot.runsPerMinute.until).svg)</section>
            """
    }

    private var activeRunsSection: String {
        section("Runs in flight", count: snapshot.activeRuns.count,
                table(["Run", "Skill", "Trigger", "Running for", "Caller"], snapshot.activeRuns.map { run in
                    [String(run.runID), run.skill, run.trigger, Self.duration(run.elapsedMilliseconds), run.caller].map(cell)
                }))
    }

    private var latestRunsSection: String {
        section("Latest runs", count: snapshot.latestRuns.count,
                table(["Run", "Skill", "Status", "Created", "Took", "Caller", "Error"], snapshot.latestRuns.map { run in
                    [cell(String(run.runID)), cell(run.skill), Self.badge(run.status), cell(run.createdAt),
                     cell(run.durationMilliseconds.map(Self.duration) ?? ""), cell(run.caller), cell(run.error ?? "", class: "error")]
                }))
    }

    private var batchesSection: String {
        section("Batches", count: snapshot.batches.count,
                table(["Batch", "Skill", "Status", "Progress", "Counts"], snapshot.batches.map { batch in
                    let counts = ["pending", "running", "done", "failed", "cancelled"]
                        .map { "\(batch.counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
                    return [cell(String(batch.batchID)), cell(batch.skill), Self.badge(batch.status),
                            "<td>\(Self.progressBar(ended: batch.ended, of: batch.items))</td>", cell(counts)]
                }))
    }

    private var endpointsSection: String {
        section("Inference endpoints", count: snapshot.endpoints.count,
                table(["Endpoint", "Model", "URL", "Health", "In flight", "p50", "p99", "Last error"], snapshot.endpoints.map { endpoint in
                    [cell(endpoint.name), cell(endpoint.model), cell(endpoint.url),
                     Self.badge(endpoint.healthy ? "healthy" : "unhealthy"),
                     cell("\(endpoint.outstanding) of \(endpoint.maximumConcurrent)"),
                     cell(endpoint.latencyP50Milliseconds.map(Self.duration) ?? "–"),
                     cell(endpoint.latencyP99Milliseconds.map(Self.duration) ?? "–"),
                     cell(endpoint.lastError ?? "", class: "error")]
                }))
    }

    private var skillsSection: String {
        section("Skills", count: snapshot.skills.count,
                table(["Skill", "Version", "Isolation", "Description"], snapshot.skills.map { skill in
                    [skill.name, skill.version, skill.isolation, skill.description].map(cell)
                }))
    }

    /// A section titled `title` and `count`, holding `content`, or saying "none".
    private func section(_ title: String, count: Int, _ content: String) -> String {
        "<section><h2>\(HTML.escaped(title)) (\(count))</h2>\n\(count == 0 ? "<p class=\"none\">None.</p>" : content)</section>"
    }

    /// A table of `headings` over `rows`, each row's cells already HTML (``cell(_:class:)``).
    private func table(_ headings: [String], _ rows: [[String]]) -> String {
        let head = headings.map { "<th>\(HTML.escaped($0))</th>" }.joined()
        let body = rows.map { "<tr>\($0.joined())</tr>" }.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A cell of `text`, escaped.
    private func cell(_ text: String) -> String {
        cell(text, class: nil)
    }

    /// A cell of `text`, escaped, of the style class `name` (one of the page's own).
    private func cell(_ text: String, class name: String?) -> String {
        "<td\(name.map { " class=\"\($0)\"" } ?? "")>\(HTML.escaped(text))</td>"
    }

    /// A cell showing `status` as a coloured badge; the colour says whether it is good, bad,
    /// busy or neither.
    private static func badge(_ status: String) -> String {
        let tone = switch status {
        case "succeeded", "done", "healthy": "good"
        case "failed", "timeout", "crashed", "interrupted", "unhealthy": "bad"
        case "queued", "running": "busy"
        default: "neutral"
        }
        return "<td><span class=\"badge \(tone)\">\(HTML.escaped(status))</span></td>"
    }

    /// A bar filled to `ended` of `total`, with the figures beside it.
    private static func progressBar(ended: Int64, of total: Int64) -> String {
        let percent = total > 0 ? min(100, Int(ended * 100 / total)) : 0
        return "<span class=\"progress\"><span style=\"width: \(percent)%\"></span></span> \(ended) of \(total)"
    }

    /// `1 run`, `2 runs`.
    private static func runs(_ count: some BinaryInteger) -> String {
        count == 1 ? "1 run" : "\(count) runs"
    }

    /// A duration as an operator reads it: `0.42 ms`, `412 ms`, `3.1 s`, `4 min 12 s`, `3 h 5 min`.
    static func duration(_ milliseconds: Double) -> String {
        switch milliseconds {
        case ..<10: String(format: "%.2f ms", milliseconds)
        case ..<1000: String(format: "%.0f ms", milliseconds)
        case ..<60_000: String(format: "%.1f s", milliseconds / 1000)
        case ..<3_600_000: "\(Int(milliseconds / 60_000)) min \(Int(milliseconds / 1000) % 60) s"
        default: "\(Int(milliseconds / 3_600_000)) h \(Int(milliseconds / 60_000) % 60) min"
        }
    }
}

import Foundation
@testable import HTTPAPI
import JSON
import Testing

/// The status page rendered from answers as the daemon gives them, without a daemon.
@Suite("The status page's snapshot and rendering")
struct StatusPageTests {
    /// 2026-12-04T12:00:00Z.
    private static let now = Date(timeIntervalSince1970: 1_796_385_600)

    private static func time(minutesAgo minutes: Double) -> JSONValue {
        .string(now.addingTimeInterval(-minutes * 60).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    /// Answers of the five methods, with attacker-chosen text wherever a caller can put some.
    private static func snapshot(runs: [JSONValue]? = nil, nasty: String = "<script>alert('x')</script>") -> StatusSnapshot {
        let runs = runs ?? [
            ["run_id": 12, "skill": .string(nasty), "version": "1.0.0", "status": "failed",
             "created_at": time(minutesAgo: 0.5), "duration_ms": 3.25, "caller_token": .string(nasty), "caller_uid": nil,
             "error": ["kind": "skill_failed", "message": .string(nasty)]],
            ["run_id": 11, "skill": "echo", "version": "1.0.0", "status": "succeeded", "created_at": time(minutesAgo: 0.7),
             "duration_ms": 0.42, "caller_token": nil, "caller_uid": 1000, "error": nil],
            ["run_id": 10, "skill": "echo", "version": "1.0.0", "status": "succeeded", "created_at": time(minutesAgo: 30.2),
             "duration_ms": 1500, "caller_token": nil, "caller_uid": 1000, "error": nil],
            ["run_id": 9, "skill": "echo", "version": "1.0.0", "status": "succeeded", "created_at": time(minutesAgo: 75),
             "duration_ms": 1, "caller_token": nil, "caller_uid": 1000, "error": nil],
        ]
        return StatusSnapshot(
            hostStatus: ["version": "0.1.0", "pid": 4242, "uptime_ms": 3_723_000, "runs": ["total": 4, "running": 1],
                         "inference": ["endpoints": [
                             ["name": .string(nasty), "model": "gemma", "url": "http://127.0.0.1:8080/?a=1&b=<2>", "healthy": false,
                              "outstanding": 1, "max_concurrent": 4, "latency_p50_ms": 412.5, "latency_p99_ms": 1830.0,
                              "last_error": .string(nasty)],
                         ]]],
            skills: ["skills": [["name": .string(nasty), "version": "1.0.0", "isolation": "process",
                                 "description": .string(nasty)]]],
            activeRuns: ["runs": [["run_id": 13, "skill": "sleeps", "version": "1.0.0", "trigger": "batch",
                                   "elapsed_ms": 2500, "caller_uid": 1000, "caller_token": nil]]],
            runs: ["runs": .array(runs)],
            runsPerMinute: ["until": time(minutesAgo: 0), "counts": .array((0..<60).map { .int($0 == 59 ? 2 : $0 == 29 ? 1 : 0) })],
            batches: ["batches": [["batch_id": 3, "skill": "echo", "version": "1.0.0", "status": "running", "items": 8,
                                   "counts": ["pending": 3, "running": 1, "done": 3, "failed": 1, "cancelled": 0]]]],
            takenAt: now)
    }

    @Test("the snapshot reads each answer's members")
    func snapshotOfAnswers() {
        let snapshot = Self.snapshot(nasty: "n")
        #expect(snapshot.daemon == .init(version: "0.1.0", pid: 4242, uptimeMilliseconds: 3_723_000, runsTotal: 4))
        #expect(snapshot.skills == [.init(name: "n", version: "1.0.0", isolation: "process", description: "n")])
        #expect(snapshot.activeRuns == [.init(runID: 13, skill: "sleeps@1.0.0", trigger: "batch", elapsedMilliseconds: 2500,
                                              caller: "uid 1000")])
        #expect(snapshot.latestRuns.map(\.runID) == [12, 11, 10, 9])
        #expect(snapshot.latestRuns[0].error == "skill_failed: n" && snapshot.latestRuns[0].caller == "token n")
        #expect(snapshot.latestRuns[1].error == nil && snapshot.latestRuns[1].caller == "uid 1000")
        #expect(snapshot.batches.first?.ended == 4 && snapshot.batches.first?.items == 8)
        #expect(snapshot.endpoints.first?.healthy == false && snapshot.endpoints.first?.latencyP99Milliseconds == 1830)

        #expect(snapshot.runsPerMinute.counts.count == 60 && snapshot.runsPerMinute.counts.reduce(0, +) == 3)
        #expect(snapshot.runsPerMinute.until == Self.now)
    }

    @Test("a snapshot whose answers lack members shows what there is: nothing, zero, the time it was taken")
    func emptyAnswers() {
        let snapshot = StatusSnapshot(hostStatus: [:], skills: [:], activeRuns: [:], runs: ["runs": [["run_id": 1]]],
                                      runsPerMinute: [:], batches: [:], takenAt: Self.now)
        #expect(snapshot.skills.isEmpty && snapshot.activeRuns.isEmpty && snapshot.batches.isEmpty && snapshot.endpoints.isEmpty)
        #expect(snapshot.latestRuns == [.init(runID: 1, skill: "", status: "", createdAt: "", durationMilliseconds: nil,
                                              caller: "", error: nil)])
        #expect(snapshot.runsPerMinute == .init(counts: [], until: Self.now))
        let html = StatusPage(snapshot: snapshot).html
        #expect(html.contains("<h2>Skills (0)</h2>\n<p class=\"none\">None.</p>"), "\(html)")
    }

    @Test("every text of the answers is escaped: a skill's name, a run's error, an endpoint's URL are text, never markup",
          arguments: HTMLEscapingTests.nastyStrings)
    func pageEscapesEverything(_ nasty: String) {
        let html = StatusPage(snapshot: Self.snapshot(nasty: nasty)).html
        let escaped = HTML.escaped(nasty)
        #expect(!html.contains(nasty) || nasty == escaped, "the raw text appears: \(nasty)")
        #expect(html.components(separatedBy: escaped).count - 1 >= 5, "skill, run skill, caller, error, endpoint, each escaped")
        #expect(!html.lowercased().contains("<script"), "no script element, whatever the answers hold")
        #expect(!html.contains("<img") && !html.contains("<iframe"))
        #expect(html.contains("http://127.0.0.1:8080/?a=1&amp;b=&lt;2&gt;"))
    }

    @Test("the page reloads itself, needs nothing else, and shows each section")
    func pageStructure() {
        let html = StatusPage(snapshot: Self.snapshot(nasty: "n")).html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"\(StatusPage.refreshSeconds)\">"))
        for external in ["src=", "href=", "@import", "url("] {
            #expect(!html.contains(external), "no external asset: \(external)")
        }
        for heading in ["Runs per minute, last 60 minutes (3 runs)", "Runs in flight (1)", "Latest runs (4)", "Batches (1)",
                        "Inference endpoints (1)", "Skills (1)"] {
            #expect(html.contains("<h2>\(heading)</h2>"), "\(heading)")
        }
        #expect(html.contains("<span class=\"badge bad\">failed</span>") && html.contains("<span class=\"badge good\">succeeded</span>"))
        #expect(html.contains("<span class=\"progress\"><span style=\"width: 50%\"></span></span> 4 of 8"))
        #expect(html.contains("3 pending, 1 running, 3 done, 1 failed, 0 cancelled"))
        #expect(html.contains("<form method=\"post\" action=\"/logout\">"))
        #expect(html.contains("up 1 h 2 min") && html.contains("as of 2026-12-04T12:00:00.000Z"))
    }

    @Test("the chart has a bar per minute, the tallest the full height, each titled with its minute and count")
    func chart() {
        var counts = [Int](repeating: 0, count: 60)
        counts[59] = 4
        counts[29] = 1
        let svg = RunsPerMinuteChart(counts: counts, endingAt: Self.now).svg
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 60)
        #expect(svg.contains("<rect x=\"590\" y=\"14\" width=\"8\" height=\"80\"><title>11:59 UTC: 4 runs</title></rect>"))
        #expect(svg.contains("<rect x=\"290\" y=\"74\" width=\"8\" height=\"20\"><title>11:29 UTC: 1 run</title></rect>"))
        #expect(svg.contains("<rect x=\"0\" y=\"94\" width=\"8\" height=\"0\"><title>11:00 UTC: 0 runs</title></rect>"))
    }

    @Test("durations read as an operator would say them")
    func durations() {
        #expect(StatusPage.duration(0.42) == "0.42 ms")
        #expect(StatusPage.duration(412.4) == "412 ms")
        #expect(StatusPage.duration(3140) == "3.1 s")
        #expect(StatusPage.duration(252_000) == "4 min 12 s")
        #expect(StatusPage.duration(11_100_000) == "3 h 5 min")
    }
}

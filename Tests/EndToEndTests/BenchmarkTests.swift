import Foundation
import JSON
import TestSupport
import Testing

/// `skillbench --quick` against the real daemon, sockets, SQLite file and model server: every
/// figure of docs/BENCHMARKS.md is still measured. Timings are never asserted (`bench/run`
/// reports them); `scripts/test` runs this suite on its own, after the others, so that its
/// load does not disturb their deadlines.
@Suite("Benchmark (skillbench --quick)")
struct BenchmarkTests {
    /// Compiles `bench/<source>` with `cc -O2` and `arguments` into `output`.
    private func compile(_ source: String, to output: String, _ arguments: [String]) async throws {
        let path = BuildProducts.packageRoot.appendingPathComponent("bench/\(source)").path
        let compiler = try ChildProcess("cc", arguments: ["-O2"] + arguments + ["-o", output, path], standardError: .pipe)
        let diagnostics = try await compiler.readAll(from: .standardError, timeout: .seconds(120))
        #expect(try await compiler.wait(timeout: .seconds(120)).isSuccess, "cc \(source): \(diagnostics)")
    }

    @Test("every figure is measured against the real daemon and model, and written as JSON")
    func quickRunMeasuresEveryFigure() async throws {
        let work = try TemporaryDirectory(prefix: "bench")
        let include = BuildProducts.packageRoot.appendingPathComponent("Sources/SkillABI/include").path
        try await compile("uds_echo_floor.c", to: work.path + "/uds_echo_floor", ["-pthread"])
        for name in ["noop-inprocess", "noop-worker"] {
            try await compile("noop.c", to: work.path + "/lib\(name).so",
                              ["-shared", "-fPIC", "-I", include, "-DNOOP_NAME=\"\(name)\""])
        }
        let results = work.path + "/results.json"
        let bench = try ChildProcess(try BuildProducts.skillbench(), arguments: [
            "--quick", "--daemon", try BuildProducts.skillhostd(), "--floor", work.path + "/uds_echo_floor",
            "--noop-inprocess", work.path + "/libnoop-inprocess.so", "--noop-worker", work.path + "/libnoop-worker.so",
            "--complete", try BuildProducts.plugin(named: "complete"), "--model-url", try ModelServer.baseURL().absoluteString,
            "--work-dir", work.path, "--out", results,
        ], standardOutput: .pipe, standardError: .pipe)
        let table = try await bench.readAll(timeout: .seconds(600))
        let errors = try await bench.readAll(from: .standardError, timeout: .seconds(30))
        #expect(try await bench.wait(timeout: .seconds(30)).isSuccess, "skillbench failed: \(errors)")
        #expect(table.contains("| Fig | Measure |"), "no table printed: \(table)")

        let report = try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: results))))
        #expect(report["mode"] == "quick")
        let rows = try #require(report["rows"]?.arrayValue)
        let keys = Set(rows.compactMap { $0["key"]?.stringValue })
        let figures = Set(rows.compactMap { $0["figure"]?.int64Value })
        #expect(figures == [1, 2, 3, 4, 5], "figures measured: \(figures.sorted())")
        for key in ["call.floor", "call.inprocess", "call.worker", "throughput.unrecorded.inprocess.8",
                    "inference.direct.1", "inference.daemon.1", "inference.ttft.daemon", "rss.warm"] {
            #expect(keys.contains(key), "no row \(key) among \(keys.sorted())")
        }
        let unmeasured = rows.filter { $0["value"] == nil || $0["value"] == .null }
        #expect(unmeasured.isEmpty, "rows without a value: \(unmeasured.map { $0.serialized() })")
    }
}

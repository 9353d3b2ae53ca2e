import Foundation
import JSON
import TestSupport
import Testing

/// The real daemon's HTTP API (`--http-listen`), asked by curl, its metrics read by promtool:
/// health and readiness without a token, `/metrics` only for a token of scope metrics or admin.
@Suite("skillhostd's HTTP API, through curl")
struct HTTPAPITests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!

    /// The status and body curl gets for `path`, with `headers`.
    private func get(_ base: String, _ path: String, method: String = "GET", headers: [String] = [])
        async throws -> (status: Int, body: String, run: ProgramRun)
    {
        let run = try await ProgramRun.run(
            "curl", ["-sS", "-X", method, "-w", "\n%{http_code}"] + headers.flatMap { ["-H", $0] } + ["\(base)\(path)"])
        let lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"), run)
    }

    @Test("healthz and readyz answer anyone; metrics needs a metrics or admin token, and promtool accepts what it gets")
    func healthAndMetrics() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--http-listen", "127.0.0.1:0"])
        let listening = try #require(daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .first { $0["msg"] == "the HTTP API listens" }, "\(daemon.log())")
        let address = try #require(listening["address"]?.stringValue)
        #expect(address.hasPrefix("127.0.0.1:") && !address.hasSuffix(":0"), "the port bound: \(address)")
        let base = "http://\(address)"

        #expect(try await get(base, "/healthz").status == 200)
        #expect(try await get(base, "/readyz").status == 200)
        #expect(try await get(base, "/nowhere").status == 404)
        #expect(try await get(base, "/healthz", method: "POST").status == 405)

        let anonymous = try await get(base, "/metrics")
        #expect(anonymous.status == 401, "\(anonymous.run)")
        #expect(anonymous.body.contains("skillctl tokens create NAME --scope metrics"), "\(anonymous.body)")
        #expect(try await get(base, "/metrics", headers: ["Authorization: Bearer shk_forged"]).status == 401)

        let created = try await daemon.skillctl("tokens", "create", "scraper", "--scope", "metrics")
        #expect(created.status == 0, "\(created.standardError)")
        let token = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let runner = try await daemon.skillctl("tokens", "create", "runner", "--scope", "run")
        let runToken = runner.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)

        let scraped = try await get(base, "/metrics", headers: ["Authorization: Bearer \(token)"])
        #expect(scraped.status == 200, "\(scraped.run)")
        #expect(scraped.body.contains("# TYPE skillhost_runs_total counter"), "\(scraped.body.prefix(400))")
        let file = daemon.directory.path("scraped.prom")
        try (scraped.body + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let promtool = try await ProgramRun.run("/bin/sh", ["-c", #"promtool check metrics < "$1""#, "sh", file])
        #expect(promtool.succeeded && promtool.standardOutput.isEmpty && promtool.standardError.isEmpty, "\(promtool)")

        let wrongScope = try await get(base, "/metrics", headers: ["Authorization: Bearer \(runToken)"])
        #expect(wrongScope.status == 403, "\(wrongScope.run)")
        #expect(!wrongScope.body.contains(runToken), "a refusal never repeats the token")
        #expect(try await daemon.skillctl("tokens", "revoke", "scraper").status == 0)
        #expect(try await get(base, "/metrics", headers: ["Authorization: Bearer \(token)"]).status == 401)
        #expect(!daemon.log().contains(token), "the token reached the log")
        #expect(try await daemon.stop() == .exited(0))
        #expect(try await get(base, "/healthz").status != 200, "the listener closed with the daemon")
    }

    @Test("a wrong --http-listen is a usage error that names the setting")
    func wrongAddress() async throws {
        let bad = try await ProgramRun.run(try BuildProducts.skillhostd(), ["--http-listen", "localhost:99999"])
        #expect(bad.termination == .exited(2), "\(bad)")
        #expect(bad.standardError.contains("--http-listen"), "\(bad.standardError)")
    }
}

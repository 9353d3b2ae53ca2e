import Foundation
import JSON
import TestSupport
import Testing

/// The real daemon's HTTP API (`--http-listen`), asked by curl, its metrics read by promtool
/// and scraped by a real Prometheus server: health and readiness without a token, `/metrics`
/// only for a token of scope metrics or admin.
@Suite("skillhostd's HTTP API, through curl and Prometheus")
struct HTTPAPITests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("healthz and readyz answer anyone; metrics needs a metrics or admin token, and promtool accepts what it gets")
    func healthAndMetrics() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--http-listen", "127.0.0.1:0"])
        let anonymous = try CurlClient(daemon: daemon)
        #expect(anonymous.base.hasPrefix("http://127.0.0.1:") && !anonymous.base.hasSuffix(":0"), "the port bound: \(anonymous.base)")

        #expect(try await anonymous.get("/healthz").status == 200)
        #expect(try await anonymous.get("/readyz").status == 200)
        #expect(try await anonymous.get("/nowhere").status == 404)
        #expect(try await anonymous.request("POST", "/healthz").status == 405)

        let refused = try await anonymous.get("/metrics")
        #expect(refused.status == 401, "\(refused)")
        #expect(refused.body.contains("skillctl tokens create NAME --scope metrics"), "\(refused)")
        #expect(try await anonymous.with(token: "shk_forged").get("/metrics").status == 401)

        let scrapeToken = try await daemon.createToken("scraper", scope: "metrics")
        let runToken = try await daemon.createToken("runner", scope: "run")
        let scraped = try await anonymous.with(token: scrapeToken).get("/metrics")
        #expect(scraped.status == 200, "\(scraped)")
        #expect(scraped.body.contains("# TYPE skillhost_runs_total counter"), "\(scraped.body.prefix(400))")
        let file = daemon.directory.path("scraped.prom")
        try (scraped.body + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let promtool = try await ProgramRun.run("/bin/sh", ["-c", #"promtool check metrics < "$1""#, "sh", file])
        #expect(promtool.succeeded && promtool.standardOutput.isEmpty && promtool.standardError.isEmpty, "\(promtool)")

        let wrongScope = try await anonymous.with(token: runToken).get("/metrics")
        #expect(wrongScope.status == 403, "\(wrongScope)")
        #expect(!wrongScope.body.contains(runToken), "a refusal never repeats the token")
        #expect(try await daemon.skillctl("tokens", "revoke", "scraper").status == 0)
        #expect(try await anonymous.with(token: scrapeToken).get("/metrics").status == 401)
        #expect(!daemon.log().contains(scrapeToken), "the token reached the log")
        #expect(try await daemon.stop() == .exited(0))
        #expect(try await anonymous.get("/healthz").status != 200, "the listener closed with the daemon")
    }

    @Test("a real Prometheus server scrapes /metrics with a metrics token: the target is up and a run is counted")
    func prometheusScrapes() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--http-listen", "127.0.0.1:0"])
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        #expect(try await daemon.skillctl("run", "echo", "{}").status == 0)
        let tokenFile = daemon.directory.path("scrape-token")
        try try await daemon.createToken("prometheus", scope: "metrics").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let target = try CurlClient(daemon: daemon).base.dropFirst("http://".count)
        let configuration = daemon.directory.path("prometheus.yml")
        try """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: skillhost
                authorization:
                  credentials_file: \(tokenFile)
                static_configs:
                  - targets: ["\(target)"]
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        let port = try RefusingPort().port
        let prometheus = try ChildProcess(
            "/usr/bin/prometheus", arguments: ["--config.file=\(configuration)", "--storage.tsdb.path=\(daemon.directory.path("tsdb"))",
                                      "--web.listen-address=127.0.0.1:\(port)"],
            standardOutput: .null, standardError: .file(daemon.directory.path("prometheus.log")))
        let server = "http://127.0.0.1:\(port)"

        var runs: JSONValue?
        for _ in 0..<300 where runs == nil {
            try await Task.sleep(for: .milliseconds(100))
            let query = try await ProgramRun.run("curl", ["-sS", "--get", "\(server)/api/v1/query", "--data-urlencode",
                                                          #"query=sum(skillhost_runs_total{job="skillhost",skill="echo"})"#])
            runs = (try? JSONValue(parsing: query.standardOutput))?["data"]?["result"]?[0]?["value"]?[1]
        }
        #expect(runs == "1", "the echo run, counted: \(runs ?? .null); \(String(describing: try? String(contentsOfFile: daemon.directory.path("prometheus.log"), encoding: .utf8).suffix(2000)))")
        let targets = try await ProgramRun.run("curl", ["-sS", "\(server)/api/v1/targets"])
        let active = try JSONValue(parsing: targets.standardOutput)["data"]?["activeTargets"]?[0]
        #expect(active?["health"] == "up" && active?["lastError"] == "", "\(targets.standardOutput)")
        prometheus.signal(SIGTERM)
        #expect(try await prometheus.wait() == .exited(0))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a wrong --http-listen is a usage error that names the setting")
    func wrongAddress() async throws {
        let bad = try await ProgramRun.run(try BuildProducts.skillhostd(), ["--http-listen", "localhost:99999"])
        #expect(bad.termination == .exited(2), "\(bad)")
        #expect(bad.standardError.contains("--http-listen"), "\(bad.standardError)")
    }
}

import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// SIGHUP to the real daemon: it reads its config file again and applies it, or refuses it
/// whole and keeps serving with the settings in force; the log, `host.status` and
/// `skillctl status` say which, and what changed.
@Suite("Reloading the real daemon's config file on SIGHUP")
struct ConfigurationReloadTests {
    /// Writes `json` as the config file of `directory`, and returns its path.
    @discardableResult
    private func write(_ json: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("config.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Sends SIGHUP and waits for `host.status` to show a reload other than `previous`;
    /// returns it.
    private func reload(_ daemon: DaemonHarness, after previous: JSONValue?) async throws -> JSONValue {
        daemon.process.signal(SIGHUP)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let reload = try await daemon.call("host.status")["reload"], reload != .null, reload != previous {
                return reload
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessError("host.status showed no new reload within 20 s of SIGHUP; the daemon's log:\n\(daemon.log())")
    }

    /// A reload's (or `restart_needed`'s) changes as "setting: old -> new" lines.
    private func changes(_ list: JSONValue?) -> [String] {
        (list?.arrayValue ?? []).map { change in
            "\(change["setting"]?.stringValue ?? "?"): \(change["old"]?.stringValue ?? "none") -> "
                + "\(change["new"]?.stringValue ?? "none")"
        }
    }

    /// The first line of the value of `key` in `skillctl status`'s output.
    private func value(of key: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(key + " ") }
            .map { $0.dropFirst(key.count).trimmingCharacters(in: .whitespaces) }
    }

    /// The log's lines, parsed.
    private func logLines(_ daemon: DaemonHarness) -> [JSONValue] {
        daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    @Test("a changed file: log level, a limit, a model's endpoint and a new model apply at once; a sandbox change waits for a restart")
    func changedFile() async throws {
        let alpha = try await FaultServer.start(mode: .ok)
        defer { alpha.stop() }
        let beta = try await FaultServer.start(mode: .slow, delaySeconds: 1.5)
        defer { beta.stop() }
        let directory = try TemporaryDirectory(prefix: "reload")
        let path = try write("""
            {"log_level": "warning", "max_concurrent_runs": 16,
             "models": {"alpha": {"endpoints": [{"url": "\(alpha.baseURL.absoluteString)"}]}}}
            """, in: directory)
        let daemon = try await DaemonHarness(inferenceURL: nil, arguments: ["--config", path], directory: directory,
                                             logLevel: nil)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let before = try await daemon.skillctl("run", "complete", #"{"prompt":"before"}"#)
        #expect(before.status == 0, "\(before.standardError)")
        #expect(try await alpha.stats().completionRequests == 1)
        #expect(!daemon.log().contains("\"run finished\""), "a run that succeeds is logged at debug, below warning")
        let start = try await daemon.call("host.status")
        #expect(start["settings"]?["max_concurrent_runs"] == "16" && start["settings"]?["log_level"] == "warning")
        #expect(start["reload"] == .null && start["restart_needed"] == [])
        let status = try await daemon.skillctl("status")
        #expect(value(of: "last reload", in: status.standardOutput)?.hasPrefix("none since the start") == true,
                "\(status.standardOutput)")

        try write("""
            {"log_level": "debug", "max_concurrent_runs": 1, "sandbox": "off", "memory_limit_bytes": 1073741824,
             "models": {"alpha": {"endpoints": [{"url": "\(beta.baseURL.absoluteString)"}]},
                        "gamma": {"endpoints": [{"url": "\(alpha.baseURL.absoluteString)"}]}},
             "default_model": "alpha"}
            """, in: directory)
        let applied = try await reload(daemon, after: nil)
        #expect(applied["outcome"] == "applied" && applied["error"] == .null && applied["file"] == .string(path))
        #expect(changes(applied["changes"]) == [
            "models: alpha -> alpha, gamma",
            "models.alpha.endpoints.alpha-1.url: \(alpha.baseURL.absoluteString) -> \(beta.baseURL.absoluteString)",
            "models.gamma.endpoints.gamma-1: none -> \(alpha.baseURL.absoluteString)",
            "max_concurrent_runs: 16 -> 1",
            "log_level: warning -> debug",
            "memory_limit_bytes: 2147483648 -> 1073741824",
        ], "\(applied)")
        let host = try await daemon.call("host.status")
        #expect(changes(host["restart_needed"]) == ["sandbox: on -> off"])
        #expect(host["inference"]?["models"] == ["alpha", "gamma"])
        #expect(host["inference"]?["default_model"] == "alpha")
        let endpoints = host["inference"]?["endpoints"]?.arrayValue ?? []
        #expect(endpoints.map { $0["name"]?.stringValue ?? "" } == ["alpha-1", "gamma-1"])
        #expect(endpoints.first?["url"] == .string(beta.baseURL.absoluteString))
        #expect(host["sandbox"]?["mode"] == "on", "the running sandbox stays until a restart")
        #expect(host["settings"]?["max_concurrent_runs"] == "1" && host["settings"]?["log_level"] == "debug")
        #expect(host["settings"]?["sandbox"] == "on" && host["settings"]?["socket"] == .string(daemon.socketPath))

        let lines = logLines(daemon)
        let reloaded = try #require(lines.first { $0["msg"]?.stringValue?.hasPrefix("configuration reloaded: ") == true })
        #expect(reloaded["level"] == "info" && reloaded["file"] == .string(path))
        #expect(reloaded["msg"]?.stringValue?.contains("max_concurrent_runs: 16 -> 1; log_level: warning -> debug") == true,
                "\(reloaded)")
        let restart = try #require(lines.first { $0["restart_needed"] != nil })
        #expect(restart["level"] == "warning" && restart["msg"]?.stringValue?.contains("sandbox: on -> off") == true)

        // The installed skill gets a worker under the new memory limit ahead of its next run.
        let sha256 = try #require(try await daemon.skillctl("--json", "show", "complete").json()["sha256"]?.stringValue)
        let limited = await eventually(within: .seconds(15)) {
            WorkerProcesses.loaded(of: daemon.process.pid, sha256: sha256).contains { worker in
                String(decoding: WorkerProcesses.file(worker, "limits"), as: UTF8.self).split(separator: "\n")
                    .contains { $0.hasPrefix("Max address space") && $0.contains("1073741824") }
            }
        }
        #expect(limited, "no worker of complete runs under the new memory_limit_bytes")

        // The new endpoint serves alpha (slowly), the new model is routed, the log is at
        // debug, and one run at a time is the limit now.
        let slowRun = Task { try await daemon.skillctl("run", "complete", #"{"prompt":"after"}"#) }
        let deadline = ContinuousClock.now + .seconds(10)
        while try await beta.stats().completionRequests == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let refused = try await daemon.skillctl("run", "complete", #"{"prompt":"one too many"}"#, "--model", "gamma")
        #expect(refused.status == 9, "\(refused.standardOutput) \(refused.standardError)")
        #expect(refused.standardError.contains("1 runs are in flight, the most this daemon allows (max_concurrent_runs)"),
                "\(refused.standardError)")
        let after = try await slowRun.value
        #expect(after.status == 0 && after.standardOutput.contains("echo: after"), "\(after.standardError)")
        #expect(try await beta.stats().completionRequests == 1)
        let gamma = try await daemon.skillctl("run", "complete", #"{"prompt":"to gamma"}"#, "--model", "gamma")
        #expect(gamma.status == 0, "\(gamma.standardError)")
        #expect(try await alpha.stats().completionRequests == 2)
        #expect(daemon.log().contains("\"run finished\""), "debug lines are written after the reload")

        let shown = try await daemon.skillctl("status")
        let lastReload = value(of: "last reload", in: shown.standardOutput) ?? ""
        #expect(lastReload.hasPrefix("applied at ") && lastReload.hasSuffix("from \(path), 6 changes:"), "\(shown.standardOutput)")
        #expect(shown.standardOutput.contains("log_level: warning -> debug"), "\(shown.standardOutput)")
        #expect(value(of: "restart needed", in: shown.standardOutput) == "sandbox: on (running) -> off", "\(shown.standardOutput)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a broken file is refused with the reason, the settings in force stay, and the daemon goes on serving")
    func brokenFile() async throws {
        let alpha = try await FaultServer.start(mode: .ok)
        defer { alpha.stop() }
        let beta = try await FaultServer.start(mode: .ok)
        defer { beta.stop() }
        let directory = try TemporaryDirectory(prefix: "reload")
        let good = """
            {"max_concurrent_runs": 16, "models": {"alpha": {"endpoints": [{"url": "\(alpha.baseURL.absoluteString)"}]}}}
            """
        let path = try write(good, in: directory)
        let daemon = try await DaemonHarness(inferenceURL: nil, arguments: ["--config", path], directory: directory)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)

        var last: JSONValue?
        let attempts: [(file: String?, reason: String)] = [
            ("{\"max_concurrent_runs\": 8,\n  oops}", "\(path): it is not valid JSON: line 2, column 3"),
            (#"{"max_concurrent_runs": 0}"#, "\(path): `max_concurrent_runs` must be a whole number, at least 1, not 0"),
            (#"{"max_concurent_runs": 8}"#, "\(path): unknown setting `max_concurent_runs`; known: "),
            (#"{"models": {"alpha": {"endpoints": [{"url": "ftp://example.com"}]}}}"#,
             "\(path): `models.alpha.endpoints[0]`: `url` must be an http:// or https:// URL with a host"),
            (nil, "\(path): cannot read it"),
        ]
        for attempt in attempts {
            if let file = attempt.file {
                try write(file, in: directory)
            } else {
                try FileManager.default.removeItem(atPath: path)
            }
            let refused = try await reload(daemon, after: last)
            last = refused
            #expect(refused["outcome"] == "refused" && refused["changes"] == [], "\(refused)")
            #expect(refused["error"]?.stringValue?.hasPrefix(attempt.reason) == true, "\(refused)")
            let logged = logLines(daemon).last { $0["msg"]?.stringValue?.hasPrefix("configuration reload refused") == true }
            #expect(logged?["level"] == "error" && logged?["error"] == refused["error"], "\(String(describing: logged))")
            #expect(logged?["file"] == .string(path))

            let run = try await daemon.skillctl("run", "complete", #"{"prompt":"still serving"}"#)
            #expect(run.status == 0 && run.standardOutput.contains("echo: still serving"), "\(run.standardError)")
        }
        #expect(try await alpha.stats().completionRequests == attempts.count, "every run went to the endpoint in force")
        let host = try await daemon.call("host.status")
        #expect(host["inference"]?["models"] == ["alpha"] && changes(host["restart_needed"]).isEmpty)
        #expect(host["settings"]?["max_concurrent_runs"] == "16", "the settings in force stay")
        let shown = try await daemon.skillctl("status")
        let lastReload = value(of: "last reload", in: shown.standardOutput) ?? ""
        #expect(lastReload.hasPrefix("refused at ") && lastReload.contains("cannot read it")
                && lastReload.hasSuffix("; the settings in force stay"), "\(shown.standardOutput)")

        // An endpoint attached at run time stays through reloads; a file endpoint that
        // takes its name is refused, naming the way out.
        let attached = try await daemon.skillctl("inference", "attach", "alpha", beta.baseURL.absoluteString)
        #expect(attached.status == 0 && attached.standardOutput.hasPrefix("attached alpha-2"), "\(attached.standardOutput)")
        try write("""
            {"max_concurrent_runs": 16, "models": {"alpha": {"endpoints": [
                {"url": "\(alpha.baseURL.absoluteString)"}, {"url": "\(beta.baseURL.absoluteString)"}]}}}
            """, in: directory)
        let conflict = try await reload(daemon, after: last)
        #expect(conflict["outcome"] == "refused", "\(conflict)")
        #expect(conflict["error"]?.stringValue?.contains("the endpoint name \"alpha-2\" is taken by an endpoint attached "
            + "with `skillctl inference attach`: detach it (`skillctl inference detach alpha-2`)") == true, "\(conflict)")
        try write(good.replacingOccurrences(of: "16", with: "12"), in: directory)
        let applied = try await reload(daemon, after: conflict)
        #expect(changes(applied["changes"]) == ["max_concurrent_runs: 16 -> 12"], "\(applied)")
        let names = try await daemon.call("inference.status")["endpoints"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["alpha-1", "alpha-2"], "the attached endpoint stays")
        #expect(try await daemon.stop() == .exited(0))
    }
}

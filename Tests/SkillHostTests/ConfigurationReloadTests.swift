import Foundation
import Glibc
import InferenceDriver
import JSON
@testable import SkillDaemon
import TestSupport
import Testing

/// What a reload makes of a new configuration before applying it: the changes it reports,
/// the settings that need a restart, the configuration it puts in force and what the
/// router does.
@Suite("Reloading the daemon's configuration: changes and plans")
struct ConfigurationReloadTests {
    /// The configuration the config file `json` makes (written into `directory`), then `flags`.
    private func resolved(_ json: String, flags: [String] = [], in directory: TemporaryDirectory,
                          environment: [String: String] = [:]) throws -> ResolvedConfiguration {
        let path = directory.path("config.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        guard case let .serve(invocation) = try DaemonCommandLine.parse(["--config", path] + flags) else {
            throw TestFailure("the command line asks for no daemon")
        }
        return try ResolvedConfiguration(invocation.configuration(environment: environment), environment: environment)
    }

    /// The changes as "setting: old -> new" lines.
    private func lines(_ changes: [ConfigurationChange]) -> [String] {
        changes.map(\.description)
    }

    @Test("the settings declared as needing a restart are the socket, the data directory, the log format, the sandbox's mode and user, and the HTTP address")
    func restartSettings() {
        #expect(DaemonSetting.needingRestart.map(\.name) == ["config", "socket", "data_dir", "log_format", "sandbox", "sandbox_user", "http_listen"])
        #expect(DaemonSetting.named("log_level")?.reloadEffect == .applied)
        #expect(DaemonSetting.named("max_concurrent_runs")?.reloadEffect == .applied)
    }

    @Test("an unchanged file changes nothing")
    func nothingChanged() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let file = #"{"log_level": "info", "models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9001"}]}}}"#
        let before = try resolved(file, in: directory)
        let after = try resolved(file, in: directory)
        #expect(before.changes(to: after).isEmpty)
        let plan = ReloadPlan(from: before, to: after)
        #expect(plan.applied.isEmpty && plan.restartNeeded.isEmpty)
        #expect(plan.routerChange.detaching.isEmpty && plan.routerChange.attaching.isEmpty)
        #expect(plan.routerChange.defaultModel == "a")
    }

    @Test("settings, models and endpoints that changed, in the order of the settings, with their old and new values")
    func changesListed() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let before = try resolved("""
            {"log_level": "info", "max_concurrent_runs": 256, "socket": "/run/a.sock",
             "models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9001"}, {"url": "http://127.0.0.1:9002"}]}}}
            """, in: directory)
        let after = try resolved("""
            {"log_level": "debug", "max_concurrent_runs": 8, "socket": "/run/b.sock",
             "models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9003", "max_concurrent": 2},
                                            {"url": "http://127.0.0.1:9002"}]},
                        "b": {"endpoints": [{"url": "http://127.0.0.1:9004", "served_model": "bee"}]}},
             "default_model": "b"}
            """, in: directory)
        #expect(lines(before.changes(to: after)) == [
            "socket: /run/a.sock -> /run/b.sock",
            "models: a -> a, b",
            "default_model: a -> b",
            "models.a.endpoints.a-1.url: http://127.0.0.1:9001 -> http://127.0.0.1:9003",
            "models.a.endpoints.a-1.max_concurrent: 1 -> 2",
            "models.b.endpoints.b-1: none -> http://127.0.0.1:9004",
            "max_concurrent_runs: 256 -> 8",
            "log_level: info -> debug",
        ])
        let plan = ReloadPlan(from: before, to: after)
        #expect(lines(plan.restartNeeded) == ["socket: /run/a.sock -> /run/b.sock"])
        #expect(plan.applied.count == 7)
        #expect(plan.effective.configuration.socketPath == "/run/a.sock", "the running socket stays")
        #expect(plan.effective.configuration.logLevel == .debug && plan.effective.configuration.maximumConcurrentRuns == 8)
        #expect(plan.routerChange.detaching == ["a-1"], "the unchanged endpoint a-2 stays attached, with its counters")
        #expect(plan.routerChange.attaching.map(\.name) == ["a-1", "b-1"])
        #expect(plan.routerChange.attaching.map(\.model) == ["a", "b"])
        #expect(plan.routerChange.attaching.last?.endpoint.defaultModel == "bee")
        #expect(plan.routerChange.defaultModel == "b")
    }

    @Test("the shorthand's URL is reported as its endpoint's, and a removed model's endpoints as removed")
    func shorthandAndRemoval() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let before = try resolved(#"{"inference_url": "http://127.0.0.1:9001"}"#, in: directory)
        let after = try resolved(#"{"inference_url": "http://127.0.0.1:9002"}"#, in: directory)
        #expect(lines(before.changes(to: after)) == ["models.default.endpoints.default-1.url: http://127.0.0.1:9001 -> http://127.0.0.1:9002"])
        let models = try resolved(#"{"models": {"x": {"endpoints": [{"url": "http://127.0.0.1:9003"}]}}}"#, in: directory)
        #expect(lines(before.changes(to: models)) == [
            "models: default -> x", "default_model: default -> x",
            "models.default.endpoints.default-1: http://127.0.0.1:9001 -> none",
            "models.x.endpoints.x-1: none -> http://127.0.0.1:9003",
        ])
        let plan = ReloadPlan(from: before, to: models)
        #expect(plan.routerChange.detaching == ["default-1"] && plan.routerChange.attaching.map(\.name) == ["x-1"])
    }

    @Test("flags keep their precedence over the file at a reload, as at start")
    func flagsWin() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let before = try resolved(#"{"max_concurrent_runs": 4}"#, flags: ["--max-concurrent-runs", "16"], in: directory)
        let after = try resolved(#"{"max_concurrent_runs": 8, "log_level": "warning"}"#,
                                 flags: ["--max-concurrent-runs", "16"], in: directory)
        #expect(after.configuration.maximumConcurrentRuns == 16)
        #expect(lines(before.changes(to: after)) == ["log_level: info -> warning"])
    }

    @Test("new timeouts replace every configured endpoint; new retries and health checks only change the policy")
    func timeoutsAndPolicy() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let models = #""models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9001"}, {"url": "http://127.0.0.1:9002"}]}}"#
        let before = try resolved("{\(models)}", in: directory)
        let timeouts = try resolved(#"{"request_timeout_ms": 5000, \#(models)}"#, in: directory)
        let replaced = ReloadPlan(from: before, to: timeouts).routerChange
        #expect(replaced.detaching == ["a-1", "a-2"] && replaced.attaching.map(\.name) == ["a-1", "a-2"])
        #expect(replaced.attaching.allSatisfy { $0.endpoint.requestTimeout == .milliseconds(5000) })
        let retries = try resolved(#"{"inference_retries": 1, "health_check_interval_ms": 250, \#(models)}"#, in: directory)
        let policy = ReloadPlan(from: before, to: retries).routerChange
        #expect(policy.detaching.isEmpty && policy.attaching.isEmpty)
        #expect(policy.policy.maximumAttempts == 1 && policy.policy.healthCheckInterval == .milliseconds(250))
    }

    @Test("an endpoint whose key file holds another key is replaced, and reported by its source, never by its key")
    func rotatedKey() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        let keyPath = directory.path("key")
        try Data("first-secret\n".utf8).write(to: URL(fileURLWithPath: keyPath))
        #expect(chmod(keyPath, 0o600) == 0)
        let file = #"{"models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9001", "api_key_file": "\#(keyPath)"}]}}}"#
        let before = try resolved(file, in: directory)
        try Data("second-secret\n".utf8).write(to: URL(fileURLWithPath: keyPath))
        let after = try resolved(file, in: directory)
        let changes = before.changes(to: after)
        #expect(lines(changes) == ["models.a.endpoints.a-1.api_key: file:\(keyPath) -> file:\(keyPath) (another key)"])
        #expect(!"\(changes) \(before) \(after)".contains("secret"), "no key in the changes or the descriptions")
        let plan = ReloadPlan(from: before, to: after)
        #expect(plan.routerChange.detaching == ["a-1"] && plan.routerChange.attaching.first?.endpoint.apiKey == "second-secret")
        let variable = try resolved(#"{"models": {"a": {"endpoints": [{"url": "http://127.0.0.1:9001", "api_key_env": "K"}]}}}"#,
                                    in: directory, environment: ["K": "third-secret"])
        #expect(lines(before.changes(to: variable)) == ["models.a.endpoints.a-1.api_key: file:\(keyPath) -> env:K"])
    }

    @Test("a file that is not JSON is refused with the line and column of the mistake")
    func brokenJSON() throws {
        let directory = try TemporaryDirectory(prefix: "reload")
        do {
            _ = try resolved("{\n  \"log_level\": \"debug\",\n  oops\n}", in: directory)
            Issue.record("a file that is not JSON was accepted")
        } catch {
            #expect("\(error)".hasPrefix(directory.path("config.json") + ": it is not valid JSON: line 3, column 3 (byte 28)"),
                    "\(error)")
        }
        #expect(DaemonConfiguration.lineAndColumn(ofByte: 0, in: "x") == (1, 1))
        #expect(DaemonConfiguration.lineAndColumn(ofByte: 4, in: "ab\ncd") == (2, 2))
    }
}

/// A test that cannot go on, with why.
private struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// The HTTP API's limits are settings (`http_max_body_bytes`, ...) that a reload (SIGHUP)
/// applies to the listener of the running daemon, seen by curl.
@Suite("Reloading the real daemon's HTTP limits on SIGHUP")
struct HTTPListenerReloadTests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("a lowered http_max_body_bytes makes a body the listener took before the reload a 413 after it")
    func bodyLimit() async throws {
        let directory = try TemporaryDirectory(prefix: "http-reload")
        let config = directory.path("config.json")
        try #"{"http_listen": "127.0.0.1:0", "http_max_body_bytes": 100000}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--config", config], directory: directory)
        let base = try Self.baseURL(of: daemon)
        let body = directory.path("body")
        try Data(repeating: UInt8(ascii: "x"), count: 5000).write(to: URL(fileURLWithPath: body))
        let post = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@\(body)", "\(base)/healthz"]

        let before = try await ProgramRun.run("curl", post)
        #expect(before.standardOutput == "405", "read whole, then refused for its method: \(before)")

        try #"{"http_listen": "127.0.0.1:0", "http_max_body_bytes": 1000}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let reload = try await Self.reload(daemon)
        #expect(reload["outcome"] == "applied" && reload["changes"]?.arrayValue?.contains {
            $0["setting"] == "http_max_body_bytes" && $0["old"] == "100000" && $0["new"] == "1000"
        } == true, "\(reload)")

        let after = try await ProgramRun.run("curl", post)
        #expect(after.standardOutput == "413", "\(after)")
        let small = try await ProgramRun.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "\(base)/healthz"])
        #expect(small.standardOutput == "200", "the listener goes on serving: \(small)")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// `http://ADDRESS` of the daemon's HTTP API, from its log line "the HTTP API listens".
    static func baseURL(of daemon: DaemonHarness, scheme: String = "http") throws -> String {
        let listening = try #require(daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .first { $0["msg"] == "the HTTP API listens" }, "\(daemon.log())")
        return "\(scheme)://\(try #require(listening["address"]?.stringValue))"
    }

    /// Sends SIGHUP and waits for `host.status` to show the reload; returns it.
    static func reload(_ daemon: DaemonHarness) async throws -> JSONValue {
        let previous = try await daemon.call("host.status")["reload"]
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
}

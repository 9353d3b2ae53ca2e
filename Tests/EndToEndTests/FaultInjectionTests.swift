import Foundation
import Glibc
import JSON
import Registry
import SkillhostModel
import TestSupport
import Testing

/// Every way inference or a skill can fail gives the caller a clear error at once, is
/// recorded with its cause, and leaves the daemon serving.
@Suite("Fault injection through the real daemon")
struct FaultInjectionTests {
    /// Installs `complete` and `hello`, runs `complete` against `inference`, checks the error
    /// kind and message, the recorded run, and that `hello` still runs afterwards.
    private func expectTrappedRun(inference: URL, kind: String, messageContains: String,
                                  timeoutSeconds: String = "20") async throws {
        let daemon = try await DaemonHarness(inferenceURL: inference, arguments: ["--request-timeout-ms", "1500"])
        _ = try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete"))
        _ = try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello"))

        let clock = ContinuousClock()
        let start = clock.now
        let run = try await daemon.skillctl("run", "complete", #"{"prompt":"hi"}"#, "--timeout", timeoutSeconds)
        #expect(clock.now - start < .seconds(10), "the caller hears of the failure at once")
        #expect(run.status == (kind == "timeout" ? 6 : 7), "skillctl's exit status names the kind")
        #expect(run.standardError.contains(messageContains), "stderr: \(run.standardError)")

        let runs = try daemon.registry().runs(matching: RunQuery(skillName: "complete"))
        let record = try #require(runs.first)
        #expect(record.errorKind?.rawValue == kind)
        #expect(record.errorMessage?.contains(messageContains) == true)
        #expect(record.status.isFinal && record.status != .succeeded)

        let hello = try await daemon.skillctl("run", "hello", #"{"name":"still here"}"#)
        #expect(hello.status == 0, "the daemon keeps serving: \(hello.standardError)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a refused connection is inference_failed, naming the server")
    func connectionRefused() async throws {
        let port = try await FaultServer.closedPort()
        try await expectTrappedRun(inference: URL(string: "http://127.0.0.1:\(port)")!,
                                   kind: "inference_failed", messageContains: "127.0.0.1:\(port)")
    }

    @Test("an HTTP 500 is inference_failed with the status")
    func serverError() async throws {
        let server = try await FaultServer.start(mode: .error500)
        defer { server.stop() }
        try await expectTrappedRun(inference: server.baseURL, kind: "inference_failed", messageContains: "500")
    }

    @Test("a garbage response is inference_failed")
    func garbage() async throws {
        let server = try await FaultServer.start(mode: .garbage)
        defer { server.stop() }
        try await expectTrappedRun(inference: server.baseURL, kind: "inference_failed", messageContains: "inference failed")
    }

    @Test("a stalled server passes the request timeout and the run fails, not hangs")
    func stall() async throws {
        let server = try await FaultServer.start(mode: .stall)
        defer { server.stop() }
        try await expectTrappedRun(inference: server.baseURL, kind: "inference_failed", messageContains: "inference failed")
    }

    @Test("a stalled server against a short run deadline is a timeout")
    func stallPastDeadline() async throws {
        let server = try await FaultServer.start(mode: .stall)
        defer { server.stop() }
        try await expectTrappedRun(inference: server.baseURL, kind: "timeout", messageContains: "deadline",
                                   timeoutSeconds: "0.5")
    }

    @Test("a skill that keeps calling the host after a failure gets aborted calls, and its output is dropped")
    func callsAfterTrap() async throws {
        let server = try await FaultServer.start(mode: .error500)
        defer { server.stop() }
        let directory = try TemporaryDirectory(prefix: "twice")
        let reportFile = directory.path("report")
        // One attempt per call: the count of requests below is the count of calls.
        let daemon = try await DaemonHarness(inferenceURL: server.baseURL, arguments: ["--inference-retries", "1"],
                                             environment: ["SKILL_REPORT_FILE": reportFile])
        // In process: a thread cannot be killed, so the skill goes on and sees aborted calls
        // (in a worker, it would be killed before its second call; see IsolationTests).
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "complete_twice"),
                                          "--isolation", "inprocess").status == 0)
        let run = try await daemon.skillctl("--json", "run", "complete-twice", "prompt")
        #expect(run.status == 7)
        let error = try JSONValue(parsing: run.standardError)
        #expect(error["data"]?["kind"] == "inference_failed", "with --json the error is JSON on stderr")
        #expect(error["message"]?.stringValue?.contains("inference failed") == true)
        #expect(!run.standardOutput.contains("ignored"))
        var report = ""
        for _ in 0..<250 where report.isEmpty {
            report = (try? String(contentsOfFile: reportFile, encoding: .utf8)) ?? ""
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(report == "second=3 alloc=null write=3\n")
        #expect(try await server.stats().completionRequests == 1, "the call after the trap never reached the server")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("output that is not UTF-8 fails the run with a clear error")
    func invalidUTF8Output() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "bad_utf8_output")).status == 0)
        let run = try await daemon.skillctl("run", "bad-utf8-output")
        #expect(run.status == 1)
        #expect(run.standardError.contains("not valid UTF-8"))
        let record = try #require(try daemon.registry().runs(matching: RunQuery()).first)
        #expect(record.status == .failed && record.errorKind == .skillFailed)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("every kind of bad .so file is refused with its own reason, naming the path")
    func badSkillFiles() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        let cases: [(String, String)] = [
            (try FixtureSkills.notAnELF(), "not an ELF shared object"),
            (try await FixtureSkills.wrongArchitecture(), "is built for"),
            (try await FixtureSkills.path(for: "no_entry"), "exports no `skill_entry`"),
            (try await FixtureSkills.path(for: "abi_too_new"), "built for skill ABI 2.0"),
            (try await FixtureSkills.path(for: "abi_newer_minor"), "built for skill ABI 1.2"),
            (try await FixtureSkills.path(for: "bad_name"), "descriptor field `name`"),
            (try await FixtureSkills.path(for: "bad_version"), "descriptor field `version`"),
            (try await FixtureSkills.path(for: "bad_magic"), "magic"),
        ]
        for (path, reason) in cases {
            let install = try await daemon.skillctl("install", path)
            #expect(install.status == 5, "\(path)")
            #expect(install.standardError.contains(reason), "\(install.standardError)")
            #expect(install.standardError.contains(path), "the message names the file: \(install.standardError)")
        }
        #expect(try daemon.registry().skills().isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: daemon.dataDirectory + "/skills/sha256")
        #expect(files.isEmpty, "refused files leave nothing in the store: \(files)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the same name and version with other bytes is a conflict unless forced")
    func conflict() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        let directory = try TemporaryDirectory(prefix: "conflict")
        let original = try BuildProducts.plugin(named: "hello")
        let changed = directory.path("libhello.so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: original))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: changed))
        #expect(try await daemon.skillctl("install", original).status == 0)
        let conflict = try await daemon.skillctl("install", changed)
        #expect(conflict.status == 5)
        #expect(conflict.standardError.contains("--force"))
        let forced = try await daemon.skillctl("--json", "install", changed, "--force")
        #expect(try forced.json()["outcome"] == "replaced")
        #expect(try await daemon.skillctl("run", "hello").status == 0)
        #expect(try await daemon.stop() == .exited(0))
    }
}

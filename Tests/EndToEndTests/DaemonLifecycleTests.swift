import Foundation
import Glibc
import JSONRPC
import Registry
import SkillhostModel
import TestSupport
import Testing

/// Start, refuse, stop, crash and restart: the daemon's life on its socket and registry.
@Suite("Daemon lifecycle")
struct DaemonLifecycleTests {
    private let nowhere = URL(string: "http://127.0.0.1:9")!

    @Test("the socket is private to its owner")
    func socketPermissions() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        var status = stat()
        #expect(stat(daemon.socketPath, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(stat((daemon.socketPath as NSString).deletingLastPathComponent, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        #expect(try await daemon.stop() == .exited(0))
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath), "a clean stop removes the socket")
    }

    @Test("a second daemon on a live socket refuses to start and says why")
    func secondDaemonRefused() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        let second = try ChildProcess(
            try BuildProducts.skillhostd(),
            arguments: ["--socket", daemon.socketPath, "--data-dir", daemon.directory.path("other")],
            standardOutput: .pipe, standardError: .pipe)
        let errors = try await second.readAll(from: .standardError)
        #expect(try await second.wait() == .exited(1))
        #expect(errors.contains("already serving"), "\(errors)")
        #expect(try await daemon.skillctl("status").status == 0, "the first daemon is untouched")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a daemon killed with SIGKILL leaves a stale socket that the next one replaces, and its runs become interrupted")
    func crashAndRestart() async throws {
        let first = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await first.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let slowRun = Task { try await first.skillctl("run", "sleeps", "5000") }
        let runID = try await first.waitForRunningRun()
        first.process.signal(SIGKILL)
        #expect(try await first.process.wait() == .killed(signal: SIGKILL))
        #expect(FileManager.default.fileExists(atPath: first.socketPath), "SIGKILL leaves the socket file behind")
        #expect(try await slowRun.value.status != 0, "the client sees its daemon go away")

        let second = try await DaemonHarness(inferenceURL: nowhere, directory: first.directory)
        let record = try #require(try second.registry().run(id: runID))
        #expect(record.status == .interrupted)
        #expect(record.errorKind == .interrupted)
        #expect(try await second.skillctl("run", "sleeps", "1").status == 0)
        #expect(try await second.stop() == .exited(0))
    }

    @Test("SIGTERM lets a run in flight finish before the daemon exits")
    func gracefulShutdown() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        // Long enough that the harness, polling the registry from a busy test process, sees
        // it running; well inside the 10 s shutdown grace.
        let run = Task { try await daemon.skillctl("--json", "run", "sleeps", "2500") }
        _ = try await daemon.waitForRunningRun()
        #expect(try await daemon.stop() == .exited(0))
        let result = try await run.value
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try daemon.registry().runs(matching: RunQuery()).first?.status == .succeeded)
    }

    @Test("a run still going when the shutdown grace ends is recorded as interrupted")
    func shutdownInterruptsLongRuns() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere, arguments: ["--shutdown-grace-ms", "200"])
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "sleeps")).status == 0)
        let run = Task { try await daemon.skillctl("run", "sleeps", "3000") }
        _ = try await daemon.waitForRunningRun()
        #expect(try await daemon.stop() == .exited(0))
        #expect(try await run.value.status != 0)
        let record = try #require(try daemon.registry().runs(matching: RunQuery()).first)
        #expect(record.status == .interrupted)
    }

    @Test("a shutdown grace near Int64.max milliseconds is said in full as the daemon stops, not trapped on")
    func hugeShutdownGrace() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere, arguments: ["--shutdown-grace-ms", String(Int64.max)])
        #expect(try await daemon.stop() == .exited(0), "\(daemon.log().suffix(2000))")
    }

    @Test("skillctl says how to start a daemon that is not running, with exit status 3")
    func daemonNotRunning() async throws {
        let directory = try TemporaryDirectory(prefix: "none")
        let result = try await DaemonHarness.skillctl(arguments: ["--socket", directory.path("missing.sock"), "status"])
        #expect(result.status == 3)
        #expect(result.standardError.contains("skillhostd"))
        #expect(result.standardError.contains(directory.path("missing.sock")))
    }

    @Test("skillctl refuses bad usage with exit status 2")
    func usageErrors() async throws {
        let unknown = try await DaemonHarness.skillctl(arguments: ["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("--help"))
        let help = try await DaemonHarness.skillctl(arguments: ["run", "--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("run"))
    }

    @Test("runs and skills that do not exist are not_found, with advice")
    func notFound() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        let run = try await daemon.skillctl("run", "nope")
        #expect(run.status == 4)
        #expect(run.standardError.contains("skillctl install"))
        let show = try await daemon.skillctl("runs", "show", "999")
        #expect(show.status == 4)
        #expect(try await daemon.stop() == .exited(0))
    }
}

import Foundation
import JSONRPC
import Testing
import TestSupport

/// Per-skill settings through the real skillctl and daemon: isolation and memory limits.
@Suite("Skill settings through skillctl")
struct SkillSettingsTests {
    @Test("a memory limit set at install and changed later reaches the skill record, and the skill still runs")
    func memoryLimit() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        let echo = try await FixtureSkills.path(for: "echo")
        #expect(try await daemon.skillctl("install", echo, "--memory-limit", "256M").status == 0)
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["memory_limit_bytes"] == .int(256 << 20))

        let none = try await daemon.skillctl("memory-limit", "echo@1.0.0", "none")
        #expect(none.standardOutput == "echo 1.0.0 now runs with no memory limit\n", "\(none.standardError)")
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["memory_limit_bytes"] == .int(0))

        #expect(try await daemon.skillctl("memory-limit", "echo", "default").status == 0)
        #expect(try await daemon.skillctl("--json", "show", "echo").json()["memory_limit_bytes"] == .null)

        let wrong = try await daemon.skillctl("memory-limit", "echo", "lots")
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("512M or 2G"))
        #expect(try await daemon.skillctl("memory-limit", "nope", "1G").status == 4)
        #expect(try await daemon.skillctl("run", "echo", "[1]").standardOutput == "[\n  1\n]\n")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("input that looks like JSON but is not is refused before anything is sent")
    func malformedInput() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let typo = try await daemon.skillctl("run", "echo", #"{"name": "Ada""#)
        #expect(typo.status == 2)
        #expect(typo.standardError.contains("looks like JSON"))
        #expect(try await daemon.skillctl("run", "echo", "plain words").standardOutput == "plain words\n")
        #expect(try daemon.registry().runs(matching: .init()).count == 1, "the refused input started no run")
        #expect(try await daemon.stop() == .exited(0))
    }
}

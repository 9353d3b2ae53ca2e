import Foundation
import Testing
import TestSupport

/// `skillctl completion` from the built binary, completing the names of the skills a real
/// daemon has installed, in bash and fish.
@Suite("completions of installed skills, from a running daemon")
struct CompletionTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("bash and fish offer the installed skills' names, asked of the daemon at --socket; list --names prints them")
    func installedSkills() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        for fixture in ["echo", "reports_pid"] {
            let installed = try await daemon.skillctl("install", try await FixtureSkills.path(for: fixture))
            #expect(installed.status == 0, "\(installed.standardError)")
        }
        let names = try await daemon.skillctl("list", "--names")
        #expect(names.status == 0 && names.standardOutput == "echo\nreports-pid\n", "\(names.standardOutput)")

        let skillctl = try BuildProducts.skillctl()
        let scripts = try TemporaryDirectory(prefix: "completion")
        for shell in ["bash", "fish"] {
            let script = try await ProgramRun.run(skillctl, ["completion", shell])
            #expect(script.succeeded, "\(script)")
            try script.standardOutput.write(toFile: scripts.path(shell), atomically: true, encoding: .utf8)
        }
        let socket = daemon.socketPath
        #expect(try await ShellCompletion.bash("\(skillctl) --socket \(socket) run ", script: scripts.path("bash"), in: scripts.path)
                == ["echo", "reports-pid"])
        #expect(try await ShellCompletion.bash("\(skillctl) --socket=\(socket) remove r", script: scripts.path("bash"), in: scripts.path)
                == ["reports-pid"])
        #expect(try await ShellCompletion.bash("\(skillctl) --socket \(socket) runs --skill e", script: scripts.path("bash"), in: scripts.path)
                == ["echo"])
        #expect(try await ShellCompletion.fish("\(skillctl) --socket \(socket) run ", script: scripts.path("fish"), in: scripts.path)
                == ["echo", "reports-pid"])
        #expect(try await ShellCompletion.fish("\(skillctl) --socket=\(socket) batch start e", script: scripts.path("fish"), in: scripts.path)
                == ["echo"])
        #expect(try await daemon.stop() == .exited(0))
    }
}

import Foundation
import JSON
import TestSupport
import Testing

extension DaemonHarness {
    /// A daemon serving its HTTP API on a free port of 127.0.0.1 (``CurlClient`` finds it),
    /// with the fixture skills `fixtures` installed, and `arguments` besides; no inference
    /// server, for nothing here completes text.
    static func servingHTTP(installing fixtures: [String] = [], arguments: [String] = []) async throws -> DaemonHarness {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!,
                                             arguments: ["--http-listen", "127.0.0.1:0"] + arguments)
        for fixture in fixtures {
            let installed = try await daemon.skillctl("install", try await FixtureSkills.path(for: fixture))
            #expect(installed.status == 0, "\(installed.standardError)")
        }
        return daemon
    }

    /// A new token's secret, as `skillctl tokens create NAME --scope SCOPE [--skills LIST]`
    /// prints it once.
    func createToken(_ name: String, scope: String, skills: String? = nil) async throws -> String {
        let created = try await skillctl(arguments: ["tokens", "create", name, "--scope", scope] + (skills.map { ["--skills", $0] } ?? []))
        #expect(created.status == 0, "\(created.standardError)")
        return created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many runs the registry holds (up to 1,000).
    func runCount() async throws -> Int {
        try await call("runs.list", ["limit": 1000])["runs"]?.arrayValue?.count ?? -1
    }
}

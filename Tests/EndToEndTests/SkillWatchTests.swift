import Foundation
import JSON
import Synchronization
import Testing
import TestSupport

/// `skills.watch` and `skills.changed` over the real daemon's socket: what an MCP session
/// learns that the tools changed from.
@Suite("skills.watch: skills.changed for each install, replacement and removal")
struct SkillWatchTests {
    /// The `skills.changed` params a client received, in order.
    private final class Changes: Sendable {
        private let received = Mutex<[JSONValue]>([])

        func append(_ method: String, _ params: JSONValue?) {
            guard method == "skills.changed" else { return }
            received.withLock { $0.append(params ?? .null) }
        }

        var all: [JSONValue] { received.withLock { $0 } }
    }

    @Test("a watcher gets the skills now, then installed, replaced and removed; unchanged and other connections get nothing")
    func changes() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "echo")).status == 0)
        let changes = Changes(), elsewhere = Changes()
        let watcher = try daemon.client { changes.append($0, $1) }
        defer { watcher.close() }
        let bystander = try daemon.client { elsewhere.append($0, $1) }
        defer { bystander.close() }
        _ = try await bystander.call("skills.list")
        let watching = try await watcher.call("skills.watch")
        #expect(watching["skills"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["echo"])

        let original = try BuildProducts.plugin(named: "hello")
        let changed = daemon.directory.path("libhello-changed.so")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: original))
        bytes.append(0)
        try bytes.write(to: URL(fileURLWithPath: changed))
        #expect(try await daemon.skillctl("install", original).status == 0)
        #expect(try await daemon.skillctl("install", original).status == 0, "unchanged: nothing is announced")
        #expect(try await daemon.skillctl("install", changed, "--force").status == 0)
        #expect(try await daemon.skillctl("remove", "hello").status == 0)

        let expected: [JSONValue] = [
            ["change": "installed", "name": "hello", "version": "1.0.0"],
            ["change": "replaced", "name": "hello", "version": "1.0.0"],
            ["change": "removed", "name": "hello", "version": "1.0.0"],
        ]
        #expect(await eventually { changes.all.count >= expected.count }, "\(changes.all)")
        #expect(changes.all == expected)
        #expect(elsewhere.all.isEmpty, "a connection that did not watch is told nothing")

        watcher.close()
        #expect(try await daemon.skillctl("remove", "echo").status == 0, "a watcher that left is dropped, not written to")
        #expect(try await daemon.stop() == .exited(0))
    }
}

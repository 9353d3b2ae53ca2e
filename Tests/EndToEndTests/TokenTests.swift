import Foundation
import Glibc
import JSON
import Registry
import SkillhostModel
import TestSupport
import Testing

/// Bearer tokens through the real daemon and the real skillctl, checked on the daemon's own
/// registry file: made once and shown once, listed without a secret, revoked, and managed
/// only by the daemon's user or root.
@Suite("Tokens end to end", .serialized)
struct TokenTests {
    /// No inference server: nothing here runs a skill.
    private let nowhere = URL(string: "http://127.0.0.1:9")!
    /// `nobody`, which no other test process runs as.
    private static let otherUser: uid_t = 65534

    @Test("tokens create prints the token once; list never shows it; the registry verifies it until it is revoked")
    func lifecycle() async throws {
        let daemon = try await DaemonHarness(inferenceURL: nowhere)

        let created = try await daemon.skillctl("tokens", "create", "ci", "--scope", "run", "--skills", "hello,echo")
        #expect(created.status == 0, "\(created.standardError)")
        let token = created.standardOutput.trimmingCharacters(in: .newlines)
        #expect(created.standardOutput == token + "\n", "the token alone on standard output")
        #expect(token.hasPrefix("shk_") && token.utf8.count == 47, "\(token)")
        #expect(created.standardError.contains("shown only once"), "\(created.standardError)")

        let json = try await daemon.skillctl("--json", "tokens", "create", "ops", "--scope", "admin")
        #expect(json.status == 0, "\(json.standardError)")
        let answer = try json.json()
        let adminToken = try #require(answer["token"]?.stringValue)
        #expect(answer["record"]?["name"] == "ops")
        #expect(answer["record"]?["scope"] == "admin")
        #expect(answer["record"]?["created_by"] == .int(Int64(getuid())))

        let taken = try await daemon.skillctl("tokens", "create", "ci", "--scope", "metrics")
        #expect(taken.status != 0)
        #expect(taken.standardError.contains("a token named ci exists already"), "\(taken.standardError)")

        let table = try await daemon.skillctl("tokens", "list")
        #expect(table.status == 0, "\(table.standardError)")
        #expect(table.standardOutput.contains("ci") && table.standardOutput.contains("hello,echo"), "\(table.standardOutput)")
        let listed = try await daemon.skillctl("--json", "tokens", "list")
        let hashes = [token, adminToken].map { SHA256.hex(of: Array($0.utf8)) }
        for output in [table.standardOutput, listed.standardOutput] {
            #expect(!output.contains("shk_"), "a listing shows a secret: \(output)")
            #expect(hashes.allSatisfy { !output.contains($0) }, "a listing shows a hash: \(output)")
        }
        #expect(try listed.json()["tokens"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["ci", "ops"])

        let registry = try daemon.registry()
        guard case let .accepted(record) = try registry.verifyToken(token, scope: .run, skill: "hello") else {
            Issue.record("the token skillctl printed is not accepted by the daemon's registry")
            return
        }
        #expect(record.name == "ci")
        #expect(try registry.verifyToken(token, scope: .run, skill: "other")
            == .refused(.skillNotAllowed(name: "ci", skill: "other")))

        let revoked = try await daemon.skillctl("tokens", "revoke", "ci")
        #expect(revoked.status == 0, "\(revoked.standardError)")
        #expect(revoked.standardOutput.contains("revoked token \(record.id) (ci)"), "\(revoked.standardOutput)")
        #expect(try registry.verifyToken(token, scope: .run, skill: "hello") == .refused(.revoked(name: "ci")))
        let byID = try await daemon.skillctl("tokens", "revoke", String(record.id + 1))
        #expect(byID.status == 0, "\(byID.standardError)")
        #expect(try registry.verifyToken(adminToken, scope: .metrics) == .refused(.revoked(name: "ops")))
        let missing = try await daemon.skillctl("tokens", "revoke", "ci")
        #expect(missing.status == 4, "\(missing.standardError)")
        let all = try await daemon.skillctl("tokens", "list", "--all")
        #expect(all.standardOutput.contains("REVOKED"), "\(all.standardOutput)")

        let log = daemon.log()
        #expect(log.contains("token created") && log.contains("token revoked"), "\(log)")
        #expect(!log.contains(token) && !log.contains(adminToken), "the daemon logged a secret")
        let file = try Data(contentsOf: URL(fileURLWithPath: daemon.dataDirectory + "/registry.sqlite3"))
            + ((try? Data(contentsOf: URL(fileURLWithPath: daemon.dataDirectory + "/registry.sqlite3-wal"))) ?? Data())
        #expect(file.range(of: Data(token.utf8)) == nil && file.range(of: Data(adminToken.utf8)) == nil,
                "the registry file holds a token")
        #expect(file.range(of: Data(hashes[0].utf8)) != nil, "the registry file lacks the token's hash")
        _ = try await daemon.stop()
    }

    @Test("a client of another user is refused token management with permission_denied, and nothing is made")
    func otherUserRefused() async throws {
        try #require(getuid() == 0, "this test runs skillctl as uid \(Self.otherUser), which needs root")
        let daemon = try await DaemonHarness(inferenceURL: nowhere)
        // Let the other user reach the socket, as a group an operator gives it would.
        for path in [daemon.directory.path, daemon.directory.path("run")] {
            #expect(chmod(path, 0o711) == 0)
        }
        #expect(chmod(daemon.socketPath, 0o666) == 0)
        let skillctl = try BuildProducts.skillctl()
        for command in [["tokens", "create", "intruder", "--scope", "admin"], ["tokens", "list"], ["tokens", "revoke", "1"]] {
            let child = try ChildProcess(
                "/usr/bin/setpriv",
                arguments: ["--reuid=\(Self.otherUser)", "--regid=\(Self.otherUser)", "--clear-groups", "--",
                            skillctl, "--socket", daemon.socketPath] + command,
                standardOutput: .pipe, standardError: .pipe)
            let output = try await child.readAll(from: .standardOutput)
            let errors = try await child.readAll(from: .standardError)
            #expect(try await child.wait() == .exited(1), "\(command): \(errors)")
            #expect(output.isEmpty, "\(command): \(output)")
            #expect(errors.contains("only the daemon's user (uid \(getuid())) or root may manage tokens")
                    && errors.contains("uid \(Self.otherUser)"), "\(command): \(errors)")
        }
        let status = try await daemon.skillctl("status")
        #expect(status.status == 0, "the daemon still serves its own user")
        #expect(try daemon.registry().tokens(includingRevoked: true).isEmpty, "a refused client made a token")
        _ = try await daemon.stop()
    }
}

import DaemonRPC
import Foundation
import Glibc
import JSON
import JSONRPC
import MCP
import SkillhostProtocol
import Synchronization
import Testing
import TestSupport

/// An MCP session whose skillhost is the daemon's own service (`InProcessSkillhost`), as
/// the daemon serves MCP itself: real registry, runners and fixture skills, no socket.
@Suite("MCPSession over the daemon's own service")
struct InProcessMCPTests {
    /// The messages a sink was given, in order.
    private final class Messages: Sendable {
        private let log = Mutex<[JSONValue]>([])

        var all: [JSONValue] { log.withLock { $0 } }

        @Sendable func append(_ message: JSONValue) {
            log.withLock { $0.append(message) }
        }

        func first(id: JSONValue) -> JSONValue? {
            all.first { $0["id"] == id && $0["method"] == nil }
        }
    }

    @Test("initialize, a streamed call with progress, a cancelled call whose run ends cancelled, list_changed on install")
    func session() async throws {
        let fixture = try ServiceFixture()
        _ = try await fixture.install("streams")
        _ = try await fixture.install("writes_until_aborted")
        let replies = Messages(), notifications = Messages()
        let skillhost = InProcessSkillhost(handler: fixture.service, caller: .process(PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())))
        let session = MCPSession(skillhost: skillhost, notify: notifications.append)
        defer { session.close() }

        await session.receive([
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]],
        ], reply: replies.append)?.value
        #expect(replies.first(id: 1)?["result"]?["capabilities"]?["tools"]?["listChanged"] == true)

        await session.receive([
            "jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": ["name": "streams", "_meta": ["progressToken": 7]],
        ], reply: replies.append)?.value
        let progress = replies.all.filter { $0["method"] == "notifications/progress" }
        #expect(progress.compactMap { $0["params"]?["message"]?.stringValue }.joined() == "[1,2,3]", "\(progress)")
        #expect(progress.allSatisfy { $0["params"]?["progressToken"] == 7 })
        #expect(replies.first(id: 2)?["result"]?["content"]?[0]?["text"] == "[1,2,3]")

        let cancelledCall = session.receive([
            "jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": ["name": "writes-until-aborted", "_meta": ["progressToken": "w"]],
        ], reply: replies.append)
        #expect(await eventually { replies.all.contains { $0["params"]?["progressToken"] == "w" } }, "the run reported progress")
        session.receive(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 3]], reply: replies.append)
        await cancelledCall?.value
        #expect(replies.first(id: 3) == nil, "a cancelled request gets no answer")
        let runs = try await fixture.send(ListRunsRequest(skill: "writes-until-aborted")).runs
        #expect(runs.first?["status"] == "cancelled", "\(runs)")

        _ = try await fixture.install("echo")
        #expect(await eventually { !notifications.all.isEmpty })
        #expect(notifications.all == [["jsonrpc": "2.0", "method": "notifications/tools/list_changed"]])
    }
}

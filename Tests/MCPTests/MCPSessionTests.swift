import JSON
import JSONRPC
@testable import MCP
import SkillhostProtocol
import Synchronization
import Testing

/// ``MCPSession``'s own rules, with a skillhost held in memory: what the daemon answers is
/// scripted, so that the session's answers to each case can be seen one by one. The real
/// daemon and the SDK are in EndToEndTests' MCPServerTests.
@Suite("MCPSession: the protocol's rules over a scripted skillhost")
struct MCPSessionTests {
    @Test("a request before initialize is refused; ping is answered anyway")
    func beforeInitialize() async throws {
        let harness = SessionHarness()
        let refused = try await harness.request("tools/list")
        #expect(refused["error"]?["code"] == -32600)
        #expect(try await harness.request("ping")["result"] == [:])
    }

    @Test("initialize agrees on a known revision, counters an unknown one with the newest, and is refused a second time")
    func negotiation() async throws {
        let harness = SessionHarness()
        #expect(try await harness.initialize(revision: "2024-11-05")["result"]?["protocolVersion"] == "2024-11-05")
        #expect(harness.session.protocolRevision == .v2024_11_05)
        #expect(try await harness.initialize(revision: "2024-11-05")["error"]?["code"] == -32600)
        let other = SessionHarness()
        #expect(try await other.initialize(revision: "1999-12-31")["result"]?["protocolVersion"]
                == .string(MCPProtocolRevision.latest.rawValue))
    }

    @Test("a daemon without skills.watch: the tools are served, listChanged is false")
    func noWatch() async throws {
        let harness = SessionHarness(skillhost: ScriptedSkillhost(watchError: .methodNotFound("skills.watch")))
        let answer = try await harness.initialize(revision: "2025-11-25")
        #expect(answer["result"]?["capabilities"]?["tools"]?["listChanged"] == false)
    }

    @Test("a daemon that cannot be reached fails initialize with its message, and initialize may be tried again")
    func unreachable() async throws {
        let skillhost = ScriptedSkillhost(watchError: .internalError("skillhostd is not running at /x"))
        let harness = SessionHarness(skillhost: skillhost)
        let failed = try await harness.initialize(revision: "2025-11-25")
        #expect(failed["error"]?["message"]?.stringValue?.contains("not running at /x") == true)
        skillhost.watchError.withLock { $0 = nil }
        #expect(try await harness.initialize(revision: "2025-11-25")["result"] != nil)
    }

    @Test("tools/list gives each name once, at its highest version, and only object schemas")
    func toolList() async throws {
        let skillhost = ScriptedSkillhost(skills: [
            ["name": "a", "version": "1.10.0", "description": "new", "input_schema": ["type": "object", "required": ["x"]],
             "output_schema": ["type": "array"]],
            ["name": "a", "version": "1.9.0", "description": "old", "input_schema": nil, "output_schema": nil],
            ["name": "b", "version": "0.1.0", "description": "", "input_schema": ["type": "string"],
             "output_schema": ["type": "object"]],
        ])
        let harness = SessionHarness(skillhost: skillhost)
        _ = try await harness.initialize(revision: "2025-06-18")
        let tools = try #require(try await harness.request("tools/list")["result"]?["tools"])
        #expect(tools == [
            ["name": "a", "description": "new", "inputSchema": ["type": "object", "required": ["x"]]],
            ["name": "b", "description": "The skillhost skill b 0.1.0.", "inputSchema": ["type": "object"],
             "outputSchema": ["type": "object"]],
        ])
    }

    @Test("a run's error is a tool result; not_found without a run, a version in the name and invalid_params are protocol errors")
    func callErrors() async throws {
        let skillhost = ScriptedSkillhost()
        let harness = SessionHarness(skillhost: skillhost)
        _ = try await harness.initialize(revision: "2025-11-25")

        skillhost.runOutcome.withLock {
            $0 = .failure(JSONRPCError(code: -32004, kind: "timeout", message: "the run timed out", extra: ["run_id": 7]))
        }
        let timedOut = try await harness.request("tools/call", ["name": "slow"])
        #expect(timedOut["result"] == [
            "content": [["type": "text", "text": "timeout: the run timed out"]], "isError": true, "_meta": ["skillhost/run_id": 7],
        ])

        skillhost.runOutcome.withLock { $0 = .failure(JSONRPCError(code: -32001, kind: "not_found", message: "no skill")) }
        #expect(try await harness.request("tools/call", ["name": "gone"])["error"]?["code"] == -32602)
        #expect(try await harness.request("tools/call", ["name": "echo@1.0.0"])["error"]?["code"] == -32602)
        #expect(try await harness.request("tools/call", ["name": "echo", "arguments": [1]])["error"]?["code"] == -32602,
                "arguments must be an object")
        #expect(skillhost.runs.withLock { $0.count } == 2, "the versioned name and the array ran nothing")
    }

    @Test("a cancelled call gets no answer and its run's call is cancelled; a cancellation for no request is ignored")
    func cancellation() async throws {
        let skillhost = ScriptedSkillhost(runsUntilCancelled: true)
        let harness = SessionHarness(skillhost: skillhost)
        _ = try await harness.initialize(revision: "2025-11-25")
        let call = harness.session.receive(
            ["jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": ["name": "spins"]], reply: harness.sink.append)
        try await skillhost.waitForRun()
        harness.session.receive(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 404]],
                                reply: harness.sink.append)
        harness.session.receive(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 9]],
                                reply: harness.sink.append)
        await call?.value
        #expect(skillhost.cancelledRuns.withLock { $0 } == 1)
        #expect(harness.sink.messages.allSatisfy { $0["id"] != 9 }, "no answer for the cancelled request")
    }

    @Test("progress: one notification per output and log line, with the request's token, before the answer")
    func progress() async throws {
        let skillhost = ScriptedSkillhost()
        skillhost.notifications.withLock {
            $0 = [
                ("run.output", ["run_id": 1, "chunk": "ab"]), ("run.log", ["run_id": 1, "level": "info", "message": "half"]),
                ("batch.progress", ["batch_id": 1]), ("run.output", ["run_id": 1, "chunk": "c"]),
            ]
        }
        let harness = SessionHarness(skillhost: skillhost)
        _ = try await harness.initialize(revision: "2025-11-25")
        let answer = try await harness.request("tools/call", ["name": "s", "_meta": ["progressToken": "t"]])
        let progress = harness.sink.messages.filter { $0["method"] == "notifications/progress" }
        #expect(progress.map { $0["params"] } == [
            ["progressToken": "t", "progress": 1, "message": "ab"], ["progressToken": "t", "progress": 2, "message": "info: half"],
            ["progressToken": "t", "progress": 3, "message": "c"],
        ])
        #expect(skillhost.runs.withLock { $0.last?["stream"] } == true)
        #expect(answer["result"]?["structuredContent"] == ["ok": true])
        #expect(harness.sink.messages.last?["id"] == answer["id"], "the answer comes last")
    }

    @Test("a change of the skills is announced on the session's own sink")
    func listChanged() async throws {
        let skillhost = ScriptedSkillhost()
        let harness = SessionHarness(skillhost: skillhost)
        _ = try await harness.initialize(revision: "2025-11-25")
        skillhost.announce(SkillsChangedNotification(change: .installed, name: "x", version: "1.0.0"))
        #expect(harness.notifications.messages == [["jsonrpc": "2.0", "method": "notifications/tools/list_changed"]])
    }

    @Test("messages that are not requests: a batch and an invalid message are refused, a response is ignored")
    func otherMessages() {
        let harness = SessionHarness()
        #expect(harness.session.receive([["jsonrpc": "2.0", "id": 1, "method": "ping"]], reply: harness.sink.append) == nil)
        #expect(harness.session.receive(["jsonrpc": "2.0", "id": 2, "result": [:]], reply: harness.sink.append) == nil)
        #expect(harness.session.receive(["id": 3, "method": "ping"], reply: harness.sink.append) == nil)
        #expect(harness.sink.messages.map { $0["error"]?["code"] } == [-32600, -32600])
    }
}

/// A session, the messages it sent through `reply` and through `notify`.
private struct SessionHarness {
    let sink = MessageLog()
    let notifications = MessageLog()
    let session: MCPSession

    init(skillhost: ScriptedSkillhost = ScriptedSkillhost()) {
        session = MCPSession(skillhost: skillhost, notify: notifications.append)
    }

    /// Sends a request and returns its answer.
    func request(_ method: String, _ params: JSONValue? = nil, id: JSONValue = 1) async throws -> JSONValue {
        var message: JSONValue = ["jsonrpc": "2.0", "id": id, "method": .string(method)]
        if let params, case .object(var members) = message {
            members["params"] = params
            message = .object(members)
        }
        await session.receive(message, reply: sink.append)?.value
        return try #require(sink.messages.last { $0["id"] == id && $0["method"] == nil })
    }

    func initialize(revision: String) async throws -> JSONValue {
        try await request("initialize", ["protocolVersion": .string(revision), "capabilities": [:],
                                         "clientInfo": ["name": "test", "version": "1"]])
    }
}

/// The messages a sink was given, in order.
private final class MessageLog: Sendable {
    private let log = Mutex<[JSONValue]>([])

    var messages: [JSONValue] { log.withLock { $0 } }

    @Sendable func append(_ message: JSONValue) {
        log.withLock { $0.append(message) }
    }
}

/// A skillhost whose answers the test sets: the skills listed, the outcome of every run
/// and the notifications sent during it, and whether the watch fails.
private final class ScriptedSkillhost: MCPSkillhost {
    let skills: [JSONValue]
    let watchError: Mutex<JSONRPCError?>
    let runOutcome = Mutex<Result<JSONValue, JSONRPCError>>(.success([
        "run_id": 1, "status": "succeeded", "output": ["ok": true], "output_kind": "json",
        "usage": ["prompt_tokens": 0, "completion_tokens": 0], "duration_ms": 1.0,
    ]))
    let notifications = Mutex<[(String, JSONValue)]>([])
    let runs = Mutex<[JSONValue]>([])
    let cancelledRuns = Mutex(0)
    private let runsUntilCancelled: Bool
    private let watcher = Mutex<(@Sendable (SkillsChangedNotification) -> Void)?>(nil)

    init(skills: [JSONValue] = [], watchError: JSONRPCError? = nil, runsUntilCancelled: Bool = false) {
        self.skills = skills
        self.watchError = Mutex(watchError)
        self.runsUntilCancelled = runsUntilCancelled
    }

    func call(_ method: String, params: JSONValue?,
              onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue {
        switch method {
        case ListSkillsRequest.method:
            return ["skills": .array(skills)]
        case RunSkillRequest.method:
            runs.withLock { $0.append(params ?? nil) }
            if runsUntilCancelled {
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
                cancelledRuns.withLock { $0 += 1 }
                throw JSONRPCError(code: -32008, kind: "cancelled", message: "cancelled")
            }
            for (method, params) in notifications.withLock({ $0 }) { onNotification(method, params) }
            return try runOutcome.withLock { $0 }.get()
        default:
            throw .methodNotFound(method)
        }
    }

    func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList {
        if let error = watchError.withLock({ $0 }) { throw error }
        watcher.withLock { $0 = onChange }
        return SkillList(skills: skills)
    }

    func close() {
        watcher.withLock { $0 = nil }
    }

    func announce(_ change: SkillsChangedNotification) {
        watcher.withLock { $0 }?(change)
    }

    /// Waits until a run has started.
    func waitForRun() async throws {
        for _ in 0..<2000 where runs.withLock({ $0.isEmpty }) {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(!runs.withLock { $0.isEmpty }, "no run started")
    }
}

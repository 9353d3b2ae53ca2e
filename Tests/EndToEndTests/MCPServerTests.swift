import Foundation
import JSON
import Testing
import TestSupport

/// `skillctl mcp` against the real daemon and real skills, driven by the official Python
/// MCP SDK (`Tests/Fixtures/mcp_client.py`: `mcp.client.stdio` and `ClientSession`), and
/// line by line for the revisions the SDK does not ask for.
@Suite("skillctl mcp: the installed skills as MCP tools, for the Python SDK")
struct MCPServerTests {
    private let noInference = URL(string: "http://127.0.0.1:9")!

    @Test("the SDK initializes, lists the skills as tools, calls them (structured, failing, unknown, with progress), cancels a run and hears list_changed")
    func pythonSDK() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        try await Self.checkToolsScenario(daemon, transport: [])
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("the same over Streamable HTTP at /mcp with a run token: the runs record the token; a --skills token sees and runs only those")
    func pythonSDKOverHTTP() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference, arguments: ["--http-listen", "127.0.0.1:0"])
        let curl = try CurlClient(daemon: daemon)
        let token = try await daemon.skillctl("tokens", "create", "assistant", "--scope", "run")
        let tokenFile = daemon.directory.path("assistant.token")
        try token.standardOutput.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let greetsRunID = try await Self.checkToolsScenario(daemon, transport: ["--url", curl.base + "/mcp", "--token-file", tokenFile])
        let greetsRun = try await daemon.call("runs.get", ["run_id": greetsRunID])
        #expect(greetsRun["caller_token"] == "assistant" && greetsRun["caller_uid"] == .null, "\(greetsRun)")

        // A token narrowed to greets: the only tool, and another skill's run is refused.
        let narrow = curl.with(token: try await daemon.skillctl("tokens", "create", "greeter", "--scope", "run", "--skills", "greets")
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
        let accept = ["Accept: application/json, text/event-stream"]
        let initialized = try await narrow.post("/mcp", json: Self.initialize(id: 1, revision: "2025-11-25").serialized(), headers: accept)
        let session = try #require(initialized.headers["mcp-session-id"], "\(initialized)")
        let inSession = accept + ["Mcp-Session-Id: \(session)", "MCP-Protocol-Version: 2025-11-25"]
        #expect(try await narrow.post("/mcp", json: #"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#,
                                      headers: inSession).status == 202)
        let listed = try await narrow.post("/mcp", json: #"{"jsonrpc": "2.0", "id": 2, "method": "tools/list"}"#, headers: inSession)
        #expect(try Self.message(listed)["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["greets"],
                "\(listed)")
        let before = try await daemon.call("runs.list", ["limit": 1000])["runs"]?.arrayValue?.count
        let refused = try await narrow.post("/mcp", json: """
            {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "failing", "arguments": {}}}
            """, headers: inSession)
        let refusal = try Self.message(refused)["error"]
        #expect(refusal?["data"]?["kind"] == "permission_denied" && refusal?["message"]?.stringValue?.contains("failing") == true,
                "a protocol error, as for a tool the session does not have: \(refused)")
        #expect(try await daemon.call("runs.list", ["limit": 1000])["runs"]?.arrayValue?.count == before, "nothing ran")

        // Another token does not find the session; without a session id, or from another origin, it is refused.
        #expect(try await curl.with(token: try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            .post("/mcp", json: #"{"jsonrpc": "2.0", "id": 4, "method": "tools/list"}"#, headers: inSession).status == 404)
        #expect(try await narrow.post("/mcp", json: #"{"jsonrpc": "2.0", "id": 5, "method": "tools/list"}"#, headers: accept).status == 400)
        #expect(try await narrow.post("/mcp", json: #"{"jsonrpc": "2.0", "id": 6, "method": "tools/list"}"#,
                                      headers: inSession + ["Origin: http://evil.example"]).status == 403)
        #expect(try await curl.post("/mcp", json: #"{"jsonrpc": "2.0", "id": 7, "method": "tools/list"}"#).status == 401)
        #expect(try await narrow.request("DELETE", "/mcp", headers: inSession).status == 204)
        #expect(try await narrow.post("/mcp", json: #"{"jsonrpc": "2.0", "id": 8, "method": "tools/list"}"#, headers: inSession).status == 404)
        #expect(!daemon.log().contains(token.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The JSON-RPC message of an answer of `/mcp`: its JSON body, or the last event of its
    /// event stream.
    private static func message(_ answer: CurlClient.Answer) throws -> JSONValue {
        guard answer.headers["content-type"] == "text/event-stream" else { return try answer.json() }
        return try JSONValue(parsing: try #require(answer.events.last, "\(answer)").data)
    }

    /// The SDK's tools scenario (mcp_client.py `tools`) against `daemon` over `transport`
    /// (none: `skillctl mcp` over stdio), checked; returns the id of greets' run.
    @discardableResult
    private static func checkToolsScenario(_ daemon: DaemonHarness, transport: [String]) async throws -> JSONValue {
        for fixture in ["greets", "failing", "streams", "writes_until_aborted"] {
            let installed = try await daemon.skillctl("install", try await FixtureSkills.path(for: fixture))
            #expect(installed.status == 0, "\(installed.standardError)")
        }
        let report = try await Self.runClient(daemon, arguments: transport + ["tools", "--install", try await FixtureSkills.path(for: "says_text")])

        // The newest revision the SDK reaches through initialize, which it asked for.
        let latest = try #require(report["sdk"]?["latest_handshake_version"])
        #expect(report["initialize"]?["protocolVersion"] == latest)
        #expect(report["initialize"]?["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(report["initialize"]?["serverInfo"]?["name"] == "skillhost")

        let tools = try #require(report["tools"]?.arrayValue)
        #expect(tools.compactMap { $0["name"]?.stringValue } == ["failing", "greets", "streams", "writes-until-aborted"])
        let greetsTool = try #require(tools.first { $0["name"] == "greets" })
        let greetsRecord = try await daemon.call("skills.get", ["name": "greets"])
        #expect(greetsTool["description"] == "Greets the name it is given.")
        #expect(greetsTool["inputSchema"] == greetsRecord["input_schema"] && greetsTool["inputSchema"]?["required"] == ["name"])
        #expect(greetsTool["outputSchema"] == greetsRecord["output_schema"] && greetsTool["outputSchema"] != nil)
        let failingTool = try #require(tools.first { $0["name"] == "failing" })
        #expect(failingTool["inputSchema"] == ["type": "object"], "a skill without an input schema takes any arguments")
        #expect(failingTool["outputSchema"] == nil)

        let greets = try #require(report["greets"]?["result"], "\(report["greets"] ?? nil)")
        #expect(greets["isError"] == false)
        #expect(greets["structuredContent"] == ["greeting": "hello, Ada"])
        #expect(greets["content"] == [["type": "text", "text": #"{"greeting":"hello, Ada"}"#]])
        let greetsRun = try await daemon.call("runs.get", ["run_id": try #require(greets["_meta"]?["skillhost/run_id"])])
        #expect(greetsRun["status"] == "succeeded" && greetsRun["input"] == ["name": "Ada"], "\(greetsRun)")

        let failing = try #require(report["failing"]?["result"], "\(report["failing"] ?? nil)")
        #expect(failing["isError"] == true)
        let failingText = try #require(failing["content"]?[0]?["text"]?.stringValue)
        #expect(failingText.hasPrefix("skill_failed: ") && failingText.contains("the skill failed on purpose"), "\(failingText)")
        let failingRun = try await daemon.call("runs.get", ["run_id": try #require(failing["_meta"]?["skillhost/run_id"])])
        #expect(failingRun["status"] == "failed" && failingRun["error"]?["kind"] == "skill_failed")

        #expect(report["unknown"]?["error"]?["code"] == -32602, "an unknown tool is a protocol error: \(report["unknown"] ?? nil)")
        #expect(report["unknown"]?["error"]?["message"]?.stringValue?.contains("no-such-skill") == true)

        let progress = try #require(report["streams"]?["progress"]?.arrayValue)
        #expect(progress.compactMap { $0["message"]?.stringValue }.joined() == "[1,2,3]", "\(progress)")
        let counts = progress.compactMap { $0["progress"]?.doubleValue }
        #expect(counts == counts.sorted() && Set(counts).count == counts.count && !counts.isEmpty, "progress grows: \(counts)")
        #expect(report["streams"]?["result"]?["content"]?[0]?["text"] == "[1,2,3]")
        #expect(report["streams"]?["result"]?["structuredContent"] == nil, "an array is not structured content")

        let cancelled = try #require(report["cancelled"])
        #expect(cancelled["progress_seen"] == true && cancelled["returned"] == false, "\(cancelled)")
        #expect(cancelled["run"]?["status"] == "cancelled", "\(cancelled)")
        let cancelledID = try #require(cancelled["run"]?["run_id"]?.int64Value)
        #expect(try daemon.registry().run(id: cancelledID)?.status == .cancelled)

        #expect(report["tools_after_install"]?.arrayValue?.contains("says-text") == true, "\(report["tools_after_install"] ?? nil)")
        return try #require(greets["_meta"]?["skillhost/run_id"])
    }

    @Test("the SDK's Client in its default mode probes server/discover, falls back to initialize, and calls a tool")
    func clientFallsBackToInitialize() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "greets")).status == 0)
        let report = try await Self.runClient(daemon, "auto")
        #expect(report["protocol_version"] == .string(MCPRevisions.newestThroughInitialize), "\(report)")
        #expect(report["tools"] == ["greets"])
        #expect(report["greets"]?["structuredContent"] == ["greeting": "hello, Cy"], "\(report)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("initialize agrees on an older revision the client asks for, without structured output; an unknown one gets the newest")
    func revisions() async throws {
        let daemon = try await DaemonHarness(inferenceURL: noInference)
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "greets")).status == 0)

        let older = try Self.startServer(daemon)
        #expect(try await Self.exchange(older, ["jsonrpc": "2.0", "id": 0, "method": "tools/list"])["error"]?["code"] == -32600,
                "tools/list before initialize is refused")
        let agreed = try await Self.exchange(older, Self.initialize(id: 1, revision: "2025-03-26"))
        #expect(agreed["result"]?["protocolVersion"] == "2025-03-26")
        let listed = try await Self.exchange(older, ["jsonrpc": "2.0", "id": 2, "method": "tools/list"])
        #expect(listed["result"]?["tools"]?[0]?["name"] == "greets")
        #expect(listed["result"]?["tools"]?[0]?["outputSchema"] == nil, "2025-03-26 has no outputSchema")
        let called = try await Self.exchange(older, [
            "jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": ["name": "greets", "arguments": ["name": "Bo"]],
        ])
        #expect(called["result"]?["content"]?[0]?["text"] == #"{"greeting":"hello, Bo"}"#)
        #expect(called["result"]?["structuredContent"] == nil)
        #expect(try await Self.exchange(older, ["jsonrpc": "2.0", "id": 4, "method": "resources/list"])["error"]?["code"] == -32601)
        older.closeStandardInput()
        #expect(try await older.wait() == .exited(0), "the server ends when its input does")

        let newer = try Self.startServer(daemon)
        let counterOffer = try await Self.exchange(newer, Self.initialize(id: "a", revision: "2099-01-01"))
        #expect(counterOffer["result"]?["protocolVersion"] == .string(MCPRevisions.newestThroughInitialize))
        #expect(counterOffer["id"] == "a")
        newer.closeStandardInput()
        #expect(try await newer.wait() == .exited(0))
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("with no daemon at --socket, initialize fails saying so and what to do, and nothing else is written to standard output")
    func noDaemon() async throws {
        let directory = try TemporaryDirectory(prefix: "mcp-no-daemon")
        let socket = directory.path("none.sock")
        let server = try ChildProcess(try BuildProducts.skillctl(), arguments: ["--socket", socket, "mcp"],
                                      standardInput: .pipe, standardOutput: .pipe, standardError: .pipe)
        let failed = try await Self.exchange(server, Self.initialize(id: 1, revision: "2025-11-25"))
        let message = try #require(failed["error"]?["message"]?.stringValue, "\(failed)")
        #expect(message.contains("skillhostd is not running at \(socket)") && message.contains("--socket"), "\(message)")
        #expect(try await Self.exchange(server, ["jsonrpc": "2.0", "id": 2, "method": "ping"])["result"] == [:])
        server.closeStandardInput()
        #expect(try await server.readAll() == "", "only answers on standard output")
        #expect(try await server.wait() == .exited(0))
    }

    @Test("against llama.cpp: the SDK calls the complete skill as a tool, with its schemas, and gets the completion as structured content")
    func completeWithTheModel() async throws {
        let daemon = try await DaemonHarness(inferenceURL: try ModelServer.baseURL(), arguments: ["--http-listen", "127.0.0.1:0"])
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let tokenFile = daemon.directory.path("assistant.token")
        try await daemon.skillctl("tokens", "create", "assistant", "--scope", "run").standardOutput
            .write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let overHTTP = ["--url", try CurlClient(daemon: daemon).base + "/mcp", "--token-file", tokenFile]
        for transport in [[], overHTTP] {
            try await Self.checkCompletion(daemon, transport: transport)
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The SDK's complete scenario against `daemon` over `transport`, checked.
    private static func checkCompletion(_ daemon: DaemonHarness, transport: [String]) async throws {
        let report = try await Self.runClient(daemon, arguments: transport + ["complete"])
        let tool = try #require(report["tool"])
        #expect(tool["inputSchema"]?["required"] == ["prompt"])
        #expect(tool["outputSchema"]?["required"]?.arrayValue?.contains("completion") == true)
        let result = try #require(report["result"])
        #expect(result["isError"] == false, "\(result)")
        let completion = try #require(result["structuredContent"]?["completion"]?.stringValue, "\(result)")
        #expect(!completion.isEmpty)
        #expect((result["structuredContent"]?["completion_tokens"]?.int64Value ?? 0) > 0)
        let run = try await daemon.call("runs.get", ["run_id": try #require(result["_meta"]?["skillhost/run_id"])])
        #expect(run["status"] == "succeeded" && run["output"]?["completion"] == .string(completion))
        #expect(run["caller_token"] == (transport.isEmpty ? .null : "assistant"), "\(run)")
    }

    // MARK: Helpers

    /// The revisions of MCP, as the tests name them.
    private enum MCPRevisions {
        /// The newest that `initialize` agrees on (later ones use `server/discover`).
        static let newestThroughInitialize = "2025-11-25"
    }

    /// Runs `Tests/Fixtures/mcp_client.py` against `daemon` and returns the JSON it prints.
    private static func runClient(_ daemon: DaemonHarness, _ arguments: String...) async throws -> JSONValue {
        try await runClient(daemon, arguments: arguments)
    }

    /// Runs `Tests/Fixtures/mcp_client.py` against `daemon` with `arguments` and returns the JSON it prints.
    private static func runClient(_ daemon: DaemonHarness, arguments: [String]) async throws -> JSONValue {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/mcp_client.py").path
        let run = try await ProgramRun.run(
            SetupCache.python, [script, "--skillctl", daemon.skillctlPath, "--socket", daemon.socketPath] + arguments,
            timeout: .seconds(180))
        guard run.succeeded else {
            throw HarnessError("the MCP client failed: \(run)\nthe daemon's log:\n\(daemon.log())")
        }
        return try JSONValue(parsing: run.standardOutput)
    }

    /// `skillctl mcp` for `daemon`, its standard input and output pipes.
    private static func startServer(_ daemon: DaemonHarness) throws -> ChildProcess {
        try ChildProcess(daemon.skillctlPath, arguments: ["--socket", daemon.socketPath, "mcp"],
                         standardInput: .pipe, standardOutput: .pipe, standardError: .pipe)
    }

    /// Sends `message` as one line and reads the line that answers it.
    private static func exchange(_ server: ChildProcess, _ message: JSONValue) async throws -> JSONValue {
        try server.write(message.serialized() + "\n")
        let line = try #require(try await server.readLine(), "skillctl mcp ended instead of answering \(message)")
        return try JSONValue(parsing: line)
    }

    private static func initialize(id: JSONValue, revision: String) -> JSONValue {
        [
            "jsonrpc": "2.0", "id": id, "method": "initialize",
            "params": ["protocolVersion": .string(revision), "capabilities": [:], "clientInfo": ["name": "test", "version": "1"]],
        ]
    }
}

import Foundation
import JSON
import TestSupport
import Testing

/// The real daemon's REST endpoints and `/rpc`, asked by curl with real tokens, and real
/// fixture skills behind them.
@Suite("skillhostd's REST API and /rpc, through curl")
struct HTTPRESTTests {
    /// The status line the daemon answers `bytes` (a Python bytes expression) with, sent as
    /// they are by `Tests/Fixtures/http_client.py`.
    private func raw(_ bytes: String, to client: CurlClient) async throws -> String {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/http_client.py").path
        let address = client.base.dropFirst("http://".count)
        let colon = try #require(address.lastIndex(of: ":"))
        let run = try await ProgramRun.run("python3", [script, "raw", String(address[..<colon]),
                                                       String(address[address.index(after: colon)...]), bytes])
        return (try? JSONValue(parsing: run.standardOutput))?["status_line"]?.stringValue ?? "\(run)"
    }

    @Test("a run token runs its skills: the output with the run's id, recorded with the token's name as its caller")
    func runOverREST() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo", "failing", "sleeps"])
        let client = try CurlClient(daemon: daemon, token: try await daemon.createToken("ci", scope: "run", skills: "echo,failing"))

        let ran = try await client.post("/v1/skills/echo/run", json: #"{"n": 1}"#)
        #expect(ran.status == 200 && ran.headers["content-type"] == "application/json", "\(ran)")
        #expect(try ran.json() == ["n": 1], "\(ran)")
        let runID = try #require(ran.headers["skillhost-run-id"].flatMap { Int64($0) }, "\(ran)")
        let record = try await daemon.call("runs.get", ["run_id": .int(runID)])
        #expect(record["caller_token"] == "ci" && record["caller_uid"] == .null && record["status"] == "succeeded", "\(record)")

        let read = try await client.get("/v1/runs/\(runID)")
        #expect(try read.status == 200 && (read.json())["caller_token"] == "ci", "\(read)")
        let text = try await client.request("POST", "/v1/skills/echo@1.0.0/run", headers: ["Content-Type: text/plain"], body: "plain words")
        #expect(try text.status == 200 && (text.json()) == "plain words", "a text body is the input as a JSON string: \(text)")
        let empty = try await client.request("POST", "/v1/skills/echo/run")
        #expect(try empty.status == 200 && (empty.json()) == [:], "no body is {}: \(empty)")

        let failed = try await client.post("/v1/skills/failing/run", json: "{}")
        #expect(failed.status == 500, "\(failed)")
        #expect(try failed.json()["error"]?["kind"] == "skill_failed", "\(failed)")
        #expect(try failed.json()["error"]?["message"]?.stringValue?.contains("failed on purpose") == true, "\(failed)")
        #expect(failed.headers["skillhost-run-id"] != nil, "a failed run names its run: \(failed)")

        let listed = try await client.get("/v1/skills")
        let names = try listed.json()["skills"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted()
        #expect(names == ["echo", "failing"], "only the skills the token may run: \(listed)")
        #expect(try await client.get("/v1/skills/echo").json()["name"] == "echo")
        #expect(try await client.get("/v1/skills/sleeps").status == 403)
        #expect(try await client.get("/v1/skills/nothing").status == 403, "a skill outside --skills is refused, known or not")

        // Someone else's run is not found for a run token; an admin token reads it.
        let socketRun = try await daemon.call("skills.run", ["skill": "echo", "input": [:]])
        let socketRunID = try #require(socketRun["run_id"]?.int64Value)
        #expect(try await client.get("/v1/runs/\(socketRunID)").status == 404)
        let admin = client.with(token: try await daemon.createToken("operator", scope: "admin"))
        #expect(try await admin.get("/v1/runs/\(socketRunID)").json()["caller_uid"]?.int64Value == Int64(getuid()))
        #expect(try await admin.get("/v1/runs/999999").status == 404)
        let head = try await client.request("HEAD", "/v1/skills")
        #expect(head.status == 200 && head.body.isEmpty, "\(head)")

        // The name of a revoked token given to a new one: the new one does not read the old one's runs.
        #expect(try await daemon.skillctl("tokens", "revoke", "ci").status == 0)
        let successor = client.with(token: try await daemon.createToken("ci", scope: "run"))
        #expect(try await successor.get("/v1/runs/\(runID)").status == 404)
        #expect(try await admin.get("/v1/runs/abc").status == 400)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("bad input, a wrong token or a skill outside the token's list is a clear HTTP error, and nothing is run or recorded")
    func refusals() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo", "sleeps"])
        let runToken = try await daemon.createToken("ci", scope: "run", skills: "echo")
        let client = try CurlClient(daemon: daemon, token: runToken)
        let before = try await daemon.runCount()

        let notJSON = try await client.post("/v1/skills/echo/run", json: "{not json")
        #expect(try notJSON.status == 422 && (notJSON.json())["error"]?["kind"] == "invalid_input", "\(notJSON)")
        let form = try await client.request("POST", "/v1/skills/echo/run", body: "a=b", extra: [])
        #expect(form.status == 415 && form.body.contains("Content-Type: application/json"), "curl's form default: \(form)")
        #expect(try await client.post("/v1/skills/echo/run?timeout_ms=soon", json: "{}").status == 400)
        let misspelt = try await client.post("/v1/skills/echo/run?modle=x", json: "{}")
        #expect(misspelt.status == 400 && misspelt.body.contains("modle") && misspelt.body.contains("model and timeout_ms"), "\(misspelt)")
        for answer in [try await client.get("/v1/skills/echo@9.9.9"), try await client.post("/v1/skills/echo@9.9.9/run", json: "{}")] {
            #expect(answer.status == 404 && !answer.body.contains("sleeps"), "a narrowed token learns no other skill: \(answer)")
        }
        #expect(try await client.post("/v1/skills/sleeps/run", json: "5").status == 403)
        let unknown = try await client.with(token: nil).post("/v1/skills/nothing/run", json: "{}")
        #expect(unknown.status == 401 && unknown.headers["www-authenticate"] == "Bearer", "\(unknown)")
        #expect(try await client.with(token: "shk_" + String(repeating: "A", count: 43)).post("/v1/skills/echo/run", json: "{}").status == 401)
        #expect(try await client.with(token: nil).get("/v1/runs/1").status == 401)
        let metricsToken = try await daemon.createToken("scraper", scope: "metrics")
        #expect(try await client.with(token: metricsToken).post("/v1/skills/echo/run", json: "{}").status == 403)
        let revoked = try await daemon.createToken("gone", scope: "run")
        #expect(try await daemon.skillctl("tokens", "revoke", "gone").status == 0)
        #expect(try await client.with(token: revoked).post("/v1/skills/echo/run", json: "{}").status == 401)
        for path in ["/v1/skills/%2e%2e/run", "/v1/skills/../run", "/v1/skills/.%2E/run", "/v1/skills/a%2Fb/run"] {
            let traversal = try await client.post(path, json: "{}")
            #expect(traversal.status == 400, "\(path): \(traversal)")
        }
        let authorization = "Authorization: Bearer \(runToken)\\r\\n"
        for (bytes, status) in [
            (#"b"POST /v1/skills/echo/run HTTP/1.1\r\nHost: h\r\n\#(authorization)Transfer-Encoding: chunked\r\n\r\n5\r\n{}XXXXX0\r\n\r\n""#, 400),
            (#"b"POST /v1/skills/echo/run HTTP/1.1\r\nHost: h\r\n\#(authorization)Content-Length: 9000000\r\n\r\n""#, 413),
            (#"b"POST /v1/skills/echo/run HTTP/1.1\r\nHost: h\r\n\#(authorization)X-Big: " + b"x" * 20000 + b"\r\n\r\n{}""#, 431),
        ] {
            let answer = try await raw(bytes, to: client)
            #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(bytes.prefix(120)): \(answer)")
        }
        #expect(try await client.request("PUT", "/v1/skills/echo/run").headers["allow"] == "POST")
        #expect(try await client.get("/v2/anything").status == 404)
        #expect(try await daemon.runCount() == before, "a refused request records no run")
        #expect(!daemon.log().contains(runToken) && !daemon.log().contains(revoked), "a token reached the log")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("GET /v1/runs/{id}/events follows a run from its beginning, POST /v1/runs/{id}/cancel ends it; another run token sees neither")
    func followAndCancelOverREST() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["writes_numbered", "spins"])
        let owner = try CurlClient(daemon: daemon, token: try await daemon.createToken("owner", scope: "run"))
        let other = try CurlClient(daemon: daemon, token: try await daemon.createToken("other", scope: "run"))

        async let ran = owner.post("/v1/skills/writes-numbered/run", json: #""20 50 16""#)
        let id = try await daemon.waitForRunningRun()
        try await Task.sleep(for: .milliseconds(300))
        let followed = try await owner.get("/v1/runs/\(id)/events", headers: ["Accept: text/event-stream"])
        #expect(followed.status == 200 && followed.headers["content-type"] == "text/event-stream", "\(followed)")
        let chunks = try followed.events.filter { $0.name == "output" }.map { try JSONValue(parsing: $0.data)["chunk"]?.stringValue ?? "" }
        let lines = (0..<20).map { String(format: "%06d", $0) + String(repeating: ".", count: 9) + "\n" }
        #expect(chunks.joined() == lines.joined() + "end\n", "every chunk from the first, though it came late: \(chunks)")
        #expect(followed.events.last?.name == "end", "\(followed.events)")
        #expect(try JSONValue(parsing: try #require(followed.events.last).data)["status"] == "succeeded")
        #expect(try await ran.status == 200)
        #expect(try await other.get("/v1/runs/\(id)/events").status == 404, "another token's run is not found")
        #expect(try await owner.get("/v1/runs/99999/events").status == 404)

        async let spun = owner.post("/v1/skills/spins/run", json: "{}")
        let spinning = try await daemon.waitForRunningRun()
        #expect(try await other.request("POST", "/v1/runs/\(spinning)/cancel").status == 404)
        let cancelled = try await owner.request("POST", "/v1/runs/\(spinning)/cancel")
        #expect(cancelled.status == 200, "\(cancelled)")
        #expect(try cancelled.json()["cancelled"] == true && cancelled.json()["run"]?["status"] == "cancelled", "\(cancelled)")
        let answer = try await spun
        #expect(try answer.json()["error"]?["kind"] == "cancelled", "the run's own request ends with it: \(answer)")
        let again = try await owner.request("POST", "/v1/runs/\(spinning)/cancel")
        #expect(try again.status == 200 && again.json()["cancelled"] == false, "\(again)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("Accept: text/event-stream streams started, output and log events and a final result or error")
    func streamedRun() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["streams", "failing", "sleeps"])
        let client = try CurlClient(daemon: daemon, token: try await daemon.createToken("ci", scope: "run"))

        let streamed = try await client.post("/v1/skills/streams/run", json: "{}", headers: ["Accept: text/event-stream"])
        #expect(streamed.status == 200 && streamed.headers["content-type"] == "text/event-stream", "\(streamed)")
        #expect(streamed.headers["transfer-encoding"] == "chunked", "\(streamed)")
        let events = streamed.events
        #expect(events.first?.name == "started" && events.last?.name == "result", "\(events)")
        let chunks = try events.filter { $0.name == "output" }.map { try JSONValue(parsing: $0.data)["chunk"]?.stringValue ?? "" }
        #expect(chunks.joined() == "[1,2,3]" && chunks.count >= 2, "the pieces as the skill wrote them: \(chunks)")
        let runID = try JSONValue(parsing: try #require(events.first).data)["run_id"]
        #expect(streamed.headers["skillhost-run-id"].flatMap { Int64($0) } == runID?.int64Value, "\(streamed)")
        #expect(try JSONValue(parsing: try #require(events.last).data)["output"] == [1, 2, 3])

        let failed = try await client.post("/v1/skills/failing/run", json: "{}", headers: ["Accept: text/event-stream"])
        #expect(failed.status == 200 && failed.events.last?.name == "error", "\(failed)")
        #expect(try JSONValue(parsing: try #require(failed.events.last).data)["kind"] == "skill_failed", "\(failed)")
        let unknown = try await client.post("/v1/skills/nothing/run", json: "{}", headers: ["Accept: text/event-stream"])
        #expect(try unknown.status == 404 && (unknown.json())["error"]?["kind"] == "not_found", "refused before it ran: \(unknown)")

        // A client that goes away cancels its run.
        let gone = try await client.post("/v1/skills/sleeps/run", json: "30000", headers: ["Accept: text/event-stream"],
                                         extra: ["--max-time", "1"])
        let started = try #require(gone.events.first { $0.name == "started" }, "\(gone)")
        let goneID = try #require(try JSONValue(parsing: started.data)["run_id"]?.int64Value)
        var status: JSONValue?
        for _ in 0..<200 where status != "cancelled" {
            status = try await daemon.call("runs.get", ["run_id": .int(goneID)])["status"]
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "cancelled", "the run of a client that went away: \(status ?? .null)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("POST /rpc answers the socket's methods, batches and errors for an admin token, and refuses what needs a local user")
    func rpcOverHTTP() async throws {
        let daemon = try await DaemonHarness.servingHTTP(installing: ["echo", "streams"])
        let admin = try CurlClient(daemon: daemon, token: try await daemon.createToken("operator", scope: "admin"))

        let status = try await admin.post("/rpc", json: #"{"jsonrpc": "2.0", "id": 1, "method": "host.status"}"#)
        #expect(try status.status == 200 && (status.json())["result"]?["pid"] != nil, "\(status)")
        let batch = try await admin.post("/rpc", json: """
            [{"jsonrpc": "2.0", "id": 1, "method": "skills.run", "params": {"skill": "echo", "input": 7}},
             {"jsonrpc": "2.0", "id": 2, "method": "no.such"},
             {"jsonrpc": "2.0", "method": "host.status"}]
            """)
        let answers = try #require(try batch.json().arrayValue, "\(batch)")
        #expect(answers.count == 2 && answers[0]["result"]?["output"] == 7 && answers[1]["error"]?["code"] == -32601, "\(answers)")
        let runID = try #require(answers[0]["result"]?["run_id"])
        #expect(try await daemon.call("runs.get", ["run_id": runID])["caller_token"] == "operator")
        #expect(try await admin.post("/rpc", json: #"{"jsonrpc": "2.0", "method": "host.status"}"#).status == 204)
        #expect(try await admin.post("/rpc", json: "{").json()["error"]?["code"] == -32700)

        for (method, params) in [("tokens.create", #"{"name": "more", "scope": "admin"}"#), ("tokens.list", "{}"),
                                 ("skills.install", #"{"path": "/etc/passwd"}"#),
                                 ("batches.start", #"{"skill": "echo", "input_file": "/etc/passwd"}"#),
                                 ("schedules.add", #"{"skill": "echo", "cron": "* * * * *", "input_file": "/etc/passwd"}"#),
                                 ("skills.grant", #"{"name": "echo", "network": "host", "read_only_paths": ["/etc"]}"#),
                                 ("skills.set_isolation", #"{"name": "echo", "isolation": "inprocess"}"#),
                                 ("inference.attach", #"{"model": "m", "url": "http://127.0.0.1:9", "api_key_env": "HOME"}"#),
                                 ("inference.attach", #"{"model": "m", "url": "http://127.0.0.1:9", "api_key_file": "/etc/passwd"}"#)] {
            let refused = try await admin.post("/rpc", json: #"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)", "params": \#(params)}"#)
            let error = try refused.json()["error"]
            #expect(error?["data"]?["kind"] == "permission_denied", "\(method): \(refused)")
            #expect(error?["message"]?.stringValue?.contains("over the Unix socket") == true, "\(method): \(refused)")
        }
        #expect(try await daemon.call("tokens.list")["tokens"]?.arrayValue?.count == 1, "no token was made over HTTP")
        let echo = try await daemon.call("skills.get", ["name": "echo"])
        #expect(echo["isolation"] == "process" && echo["grants"]?["network"] == "none", "the sandbox stayed: \(echo)")
        #expect(try await daemon.call("schedules.list")["schedules"]?.arrayValue?.isEmpty == true)

        let streamed = try await admin.post("/rpc", json: """
            {"jsonrpc": "2.0", "id": 9, "method": "skills.run", "params": {"skill": "streams", "stream": true}}
            """, headers: ["Accept: text/event-stream"])
        let methods = try streamed.events.map { event in
            event.name == "response" ? "response" : try JSONValue(parsing: event.data)["method"]?.stringValue ?? "?"
        }
        #expect(methods.first == "run.started" && methods.last == "response" && methods.contains("run.output"), "\(streamed)")

        let runner = admin.with(token: try await daemon.createToken("ci", scope: "run"))
        #expect(try await runner.post("/rpc", json: #"{"jsonrpc": "2.0", "id": 1, "method": "host.status"}"#).status == 403)
        #expect(try await admin.request("POST", "/rpc", headers: ["Content-Type: text/plain"], body: "{}").status == 415)
        #expect(try await daemon.stop() == .exited(0))
    }
}

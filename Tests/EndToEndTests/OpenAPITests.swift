import Foundation
import JSON
import JSONRPC
import TestSupport
import Testing

/// The real daemon's `GET /openapi.json` against docs/openapi.json, the records it writes
/// against the document's schemas, and schemathesis, a real OpenAPI client, fuzzing every
/// operation of the document against the daemon.
@Suite("skillhostd's OpenAPI document, against the daemon and schemathesis")
struct OpenAPITests {
    /// docs/openapi.json as this checkout has it.
    private static func documentInDocs() throws -> String {
        try String(contentsOf: BuildProducts.packageRoot.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
    }

    /// A daemon serving HTTP with the example skill `hello` and the fixture skills `fixtures`.
    private func daemon(with fixtures: [String]) async throws -> DaemonHarness {
        let daemon = try await DaemonHarness.servingHTTP(installing: fixtures)
        let installed = try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello"))
        #expect(installed.status == 0, "\(installed.standardError)")
        return daemon
    }

    /// The names of the properties of the component schema `name` of `document`.
    private func properties(_ document: JSONValue, _ name: String) throws -> Set<String> {
        Set(try #require(document["components"]?["schemas"]?[name]?["properties"]?.objectValue, "no schema \(name)").keys)
    }

    /// The names of the members of `value`, an object.
    private func members(_ value: JSONValue?) throws -> Set<String> {
        Set(try #require(value?.objectValue, "\(value ?? .null) is not an object").keys)
    }

    @Test("GET /openapi.json, without a token, is docs/openapi.json, and a valid OpenAPI 3.1 document")
    func servedDocument() async throws {
        let daemon = try await daemon(with: [])
        let client = try CurlClient(daemon: daemon)
        let served = try await client.get("/openapi.json")
        #expect(served.status == 200 && served.headers["content-type"] == "application/json", "\(served)")
        #expect(served.body == (try Self.documentInDocs()), "the served document differs from docs/openapi.json")
        #expect(try served.json()["openapi"] == "3.1.0")
        let file = daemon.directory.path("openapi.json")
        try Data(served.body.utf8).write(to: URL(fileURLWithPath: file))
        let validated = try await ProgramRun.run(Self.virtualEnvironment("python"), [
            BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/validate_openapi.py").path, file,
        ])
        #expect(validated.succeeded, "not a valid OpenAPI 3.1 document: \(validated)")
        #expect(try await client.request("HEAD", "/openapi.json").status == 200)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a real run's record, a skill's record, a failed run's error and a streamed run's events have exactly the schemas' members")
    func recordsMatchTheSchemas() async throws {
        let daemon = try await daemon(with: ["failing", "streams"])
        let client = try CurlClient(daemon: daemon, token: try await daemon.createToken("ci", scope: "run"))
        let document = try JSONValue(parsing: try Self.documentInDocs())

        let ran = try await client.post("/v1/skills/hello/run", json: #"{"name": "Ada"}"#)
        let runID = try #require(ran.headers["skillhost-run-id"], "\(ran)")
        let record = try await client.get("/v1/runs/\(runID)").json()
        #expect(try members(record) == (try properties(document, "RunRecord")))
        #expect(try members(record["usage"]) == (try properties(document, "TokenCounts")))

        let skill = try await client.get("/v1/skills/hello").json()
        #expect(try members(skill) == (try properties(document, "SkillRecord")))
        #expect(try members(skill["grants"]) == (try properties(document, "SkillGrants")))
        #expect(try members(try await client.get("/v1/skills").json()) == (try properties(document, "SkillList")))

        let failed = try await client.post("/v1/skills/failing/run", json: "{}")
        let failedRecord = try await client.get("/v1/runs/\(try #require(failed.headers["skillhost-run-id"], "\(failed)"))").json()
        #expect(try members(failedRecord["error"]) == (try properties(document, "RunError")))
        #expect(try members(failed.json()["error"]).isSubset(of: try properties(document, "ErrorBody")), "\(failed)")

        let streamed = try await client.post("/v1/skills/streams/run", json: "{}", headers: ["Accept: text/event-stream"])
        let stream = document["paths"]?["/v1/skills/{name}/run"]?["post"]?["responses"]?["200"]?["content"]?["text/event-stream"]
        let declared = try #require(stream?["schema"]?["oneOf"]?.arrayValue, "the run's events are not declared")
        let schemas = Dictionary(uniqueKeysWithValues: declared.compactMap { event -> (String, String)? in
            guard let name = event["properties"]?["event"]?["const"]?.stringValue,
                  let reference = event["properties"]?["data"]?["contentSchema"]?["$ref"]?.stringValue else { return nil }
            return (name, String(reference.split(separator: "/").last ?? ""))
        })
        #expect(Set(schemas.keys) == ["started", "output", "log", "result", "error"], "\(schemas)")
        for event in streamed.events {
            let schema = try #require(schemas[event.name], "an event the test does not know: \(event.name)")
            #expect(try members(try JSONValue(parsing: event.data)) == (try properties(document, schema)), "\(event.name)")
        }
        #expect(Set(streamed.events.map(\.name)).isSuperset(of: ["started", "output", "result"]), "\(streamed)")
        let failedStream = try await client.post("/v1/skills/failing/run", json: "{}", headers: ["Accept: text/event-stream"])
        let error = try #require(failedStream.events.last, "\(failedStream)")
        #expect(error.name == "error", "\(failedStream)")
        #expect(try members(try JSONValue(parsing: error.data)).isSubset(of: try properties(document, "ErrorBody")), "\(error)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a timeout_ms near Int64.max is refused as longer than max_run_timeout_ms, over HTTP and the socket")
    func hugeTimeout() async throws {
        let daemon = try await daemon(with: [])
        let client = try CurlClient(daemon: daemon, token: try await daemon.createToken("ci", scope: "run"))
        let refused = try await client.post("/v1/skills/hello/run?timeout_ms=9223372036854775806", json: "{}")
        #expect(try refused.status == 400 && (refused.json())["error"]?["kind"] == "invalid_params", "\(refused)")
        #expect(refused.body.contains("max_run_timeout_ms"), "\(refused)")
        do {
            let ran = try await daemon.call("skills.run", ["skill": "hello", "timeout_ms": .int(.max)])
            Issue.record("a run of timeout_ms \(Int64.max) was not refused: \(ran)")
        } catch let JSONRPCClientError.server(error) {
            #expect(error.kind == "invalid_params" && error.message.contains("max_run_timeout_ms"), "\(error)")
        }
        #expect(try await client.get("/v1/skills/hello").status == 200, "the daemon goes on serving")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("schemathesis finds no server error, and every answer's status, media type and body are the document's")
    func schemathesis() async throws {
        let daemon = try await daemon(with: [])
        let token = try await daemon.createToken("fuzz", scope: "admin")
        let client = try CurlClient(daemon: daemon, token: token)
        // Every operation as a client that takes any answer, then the two that stream as one
        // that asks for events (Accept: text/event-stream), each event held to its schema. A
        // run past its deadline is a 504 by design (Tests/Fixtures/schemathesis.toml).
        for accepted in [[], ["--header", "Accept: text/event-stream", "--include-method", "POST"]] {
            let run = try await ProgramRun.run(Self.virtualEnvironment("schemathesis"), [
                "--config-file", BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/schemathesis.toml").path,
                "--no-color", "run", "\(client.base)/openapi.json", "--header", "Authorization: Bearer \(token)",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "10", "--request-timeout", "10", "--generation-database", "none",
            ] + accepted, timeout: .seconds(120))
            #expect(run.succeeded, "\(accepted): \(run)")
            let cases = run.lines.first { $0.hasSuffix(" passed") && $0.contains(" generated, ") }?.split(separator: " ")
            #expect(cases.map { $0.count == 4 && $0[0] == $0[2] && Int($0[0]) ?? 0 > 0 } == true,
                    "\(accepted): every case generated passed: \(run.standardOutput)")
        }
        #expect(!daemon.log().contains(token), "the token reached the log")
        #expect(try await daemon.stop() == .exited(0), "the daemon survived the fuzzing")
    }

    /// The program `name` of scripts/setup's virtual environment, which has schemathesis.
    private static func virtualEnvironment(_ name: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["SKILLHOST_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/skillhost"
        return cache + "/venv/bin/" + name
    }
}

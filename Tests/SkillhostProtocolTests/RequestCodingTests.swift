import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol
import Testing

/// Requests and results through their declarations: what goes on the wire, and what is refused.
@Suite("Request and result coding")
struct RequestCodingTests {
    @Test("params are written under their JSON names, without the members left nil")
    func paramsOmitNil() throws {
        let params = try RunSkillRequest(skill: "echo", input: ["a": 1], timeoutMilliseconds: 250).params
        #expect(params == ["skill": "echo", "input": ["a": 1], "timeout_ms": 250])
        #expect(try ListSkillsRequest().params == .object([:]))
    }

    @Test("params are read back through the declaration; absent params read as none")
    func paramsRoundTrip() throws {
        let request = try RunSkillRequest.decodeParams(["skill": "echo", "input": [1, 2.5, "x", nil], "stream": true])
        #expect(request.skill == "echo")
        #expect(request.input == [1, 2.5, "x", nil])
        #expect(request.stream == true)
        #expect(request.timeoutMilliseconds == nil)
        #expect(try ListRunsRequest.decodeParams(nil).limit == nil)
        #expect(try ListRunsRequest.decodeParams(["limit": nil]).limit == nil)
    }

    @Test("a missing, mistyped or unknown parameter is invalid_params naming it", arguments: [
        (JSONValue.object([:]), #"invalid params: the parameter "skill" is required (a string)"#),
        (JSONValue.object(["skill": 3]), #"invalid params: the parameter "skill" must be a string, not an integer"#),
        (JSONValue.object(["skill": "echo", "timeout_ms": 1.5]), #"invalid params: the parameter "timeout_ms" must be an integer, not a number"#),
        (JSONValue.object(["skill": "echo", "timeout": 5]),
         #"invalid params: unknown parameter "timeout"; this method takes "input", "model", "skill", "stream", "timeout_ms""#),
        (JSONValue.array(["echo"]), "invalid params: params must be an object of named parameters, not an array"),
    ] as [(JSONValue, String)])
    func refusals(params: JSONValue, message: String) {
        #expect(throws: JSONRPCError.invalidParams(String(message.dropFirst("invalid params: ".count)))) {
            try RunSkillRequest.decodeParams(params)
        }
    }

    @Test("memory_limit_bytes tells absent (unchanged) from null (the daemon's default)")
    func memoryLimit() throws {
        #expect(try InstallSkillRequest.decodeParams(["path": "/x.so"]).memoryLimitBytes == nil)
        #expect(try InstallSkillRequest.decodeParams(["path": "/x.so", "memory_limit_bytes": nil]).memoryLimitBytes == .daemonDefault)
        #expect(try InstallSkillRequest.decodeParams(["path": "/x.so", "memory_limit_bytes": 0]).memoryLimitBytes == .bytes(0))
        #expect(try SetLimitsRequest(name: "x", memoryLimitBytes: .daemonDefault).params
            == ["name": "x", "memory_limit_bytes": nil])
        #expect(throws: JSONRPCError.invalidParams(
            #"the parameter "memory_limit_bytes" is required (a number of bytes, 0 for none, or null for the daemon's default)"#)) {
            try SetLimitsRequest.decodeParams(["name": "x"])
        }
    }

    @Test("results write nil members as null, and read a newer daemon's extra members")
    func results() throws {
        let result = RunResult(runID: 7, status: "succeeded", output: "hi", outputKind: .text,
                               usage: TokenCounts(promptTokens: 1, completionTokens: 2), durationMilliseconds: nil)
        let json = try RunSkillRequest.encodeResult(result)
        #expect(json == ["run_id": 7, "status": "succeeded", "output": "hi", "output_kind": "text",
                         "usage": ["prompt_tokens": 1, "completion_tokens": 2], "duration_ms": nil])
        guard case .object(var members) = json else { return }
        members["from_the_future"] = true
        #expect(try RunSkillRequest.decodeResult(.object(members)).runID == 7)
    }

    @Test("notifications are read only by their own declaration")
    func notifications() {
        let params: JSONValue = ["run_id": 3, "chunk": "é"]
        #expect(RunOutputNotification(method: RunOutputNotification.method, params: params)?.chunk == "é")
        #expect(RunLogNotification(method: RunOutputNotification.method, params: params) == nil)
        #expect(RunOutputNotification(method: RunLogNotification.method, params: params) == nil)
    }

    @Test("every method and notification is declared once, under a name of its own")
    func registry() {
        let methods = SkillhostMessages.requests.map { $0.method } + SkillhostMessages.notifications.map { $0.method }
        #expect(Set(methods).count == methods.count)
        for request in SkillhostMessages.requests {
            #expect(SkillhostMessages.request(named: request.method) == request)
            #expect(!request.summary.isEmpty, "\(request.method) has no summary")
        }
        #expect(SkillhostMessages.request(named: "skills.nonexistent") == nil)
    }

    @Test("the JSON-RPC layer's own errors carry the code and name of their ErrorKind", arguments: [
        (JSONRPCError.parseError("x"), ErrorKind.parseError),
        (.invalidRequest("x"), .invalidRequest),
        (.methodNotFound("x"), .methodNotFound),
        (.invalidParams("x"), .invalidParams),
        (.internalError("x"), .internal),
    ])
    func standardErrors(error: JSONRPCError, kind: ErrorKind) {
        #expect(error.code == kind.code)
        #expect(error.errorKind == kind)
    }

    @Test("an error built from a kind carries its code, its name and the extra members")
    func errorFromKind() {
        let error = JSONRPCError(.inferenceFailed, message: "down", extra: ["run_id": 4])
        #expect(error.code == -32005)
        #expect(error.data == ["kind": "inference_failed", "run_id": 4])
        #expect(error.errorKind == .inferenceFailed)
    }
}

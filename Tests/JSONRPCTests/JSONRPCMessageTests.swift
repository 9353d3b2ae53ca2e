import JSON
import JSONRPC
import Testing

@Suite("JSON-RPC 2.0 messages")
struct JSONRPCMessageTests {
    private func inbound(_ text: String) -> JSONRPCInboundMessage {
        JSONRPCInboundMessage(line: Array(text.utf8))
    }

    private func rejection(_ text: String) -> JSONRPCResponse? {
        switch inbound(text) {
        case .single(.invalid(let response)), .rejected(let response): return response
        default: return nil
        }
    }

    @Test("valid requests and notifications", arguments: [
        (#"{"jsonrpc":"2.0","method":"m","id":1}"#, JSONRPCRequest(method: "m", id: .int(1))),
        (#"{"jsonrpc":"2.0","method":"m","id":"abc","params":[1]}"#, JSONRPCRequest(method: "m", params: [1], id: .string("abc"))),
        (#"{"jsonrpc":"2.0","method":"m","params":{"a":1}}"#, JSONRPCRequest.notification(method: "m", params: ["a": 1])),
        (#"{"jsonrpc":"2.0","method":"m","id":7,"extra":true}"#, JSONRPCRequest(method: "m", id: .int(7))),
    ] as [(String, JSONRPCRequest)])
    func validRequests(text: String, expected: JSONRPCRequest) {
        #expect(inbound(text) == .single(.request(expected)))
    }

    @Test("\"id\": null is a request answered with a null id, not a notification")
    func nullID() throws {
        guard case .single(.request(let request)) = inbound(#"{"jsonrpc":"2.0","method":"m","id":null}"#) else {
            Issue.record("expected a request")
            return
        }
        #expect(!request.isNotification)
        #expect(request.id == nil)
    }

    @Test("each broken rule is an invalid_request that names it", arguments: [
        (#"1"#, nil, "a request must be an object, not an integer"),
        (#""m""#, nil, "a request must be an object, not a string"),
        (#"{"method":"m","id":1}"#, JSONRPCID.int(1), #""jsonrpc": "2.0" is missing"#),
        (#"{"jsonrpc":"1.0","method":"m","id":1}"#, .int(1), #""jsonrpc" must be "2.0", not "1.0""#),
        (#"{"jsonrpc":2.0,"method":"m","id":"x"}"#, .string("x"), #""jsonrpc" must be "2.0", not 2.0"#),
        (#"{"jsonrpc":"2.0","id":1}"#, .int(1), #""method" is missing"#),
        (#"{"jsonrpc":"2.0","method":5,"id":1}"#, .int(1), #""method" must be a string, not an integer"#),
        (#"{"jsonrpc":"2.0","method":"m","params":3,"id":1}"#, .int(1), #""params" must be an object or an array, not an integer"#),
        (#"{"jsonrpc":"2.0","method":"m","params":null,"id":1}"#, .int(1), #""params" must be an object or an array, not null"#),
        (#"{"jsonrpc":"2.0","method":"m","id":1.5}"#, nil, #""id" must be a string, an integer or null, not a number 1.5"#),
        (#"{"jsonrpc":"2.0","method":"m","id":{}}"#, nil, #""id" must be a string, an integer or null, not an object {}"#),
        (#"{"jsonrpc":"2.0","method":"m","params":"x"}"#, nil, #""params" must be an object or an array, not a string"#),
    ] as [(String, JSONRPCID?, String)])
    func invalidRequests(text: String, id: JSONRPCID?, reason: String) throws {
        let response = try #require(rejection(text))
        #expect(response.id == id)
        #expect(response.outcome == .failure(.invalidRequest(reason)))
        guard case .failure(let error) = response.outcome else { return }
        #expect(error.code == -32600)
        #expect(error.kind == "invalid_request")
    }

    @Test("a line that is not JSON is a parse_error with a null id")
    func parseError() throws {
        let response = try #require(rejection(#"{"jsonrpc":"2.0","#))
        #expect(response.id == nil)
        guard case .failure(let error) = response.outcome else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == -32700)
        #expect(error.kind == "parse_error")
        #expect(error.message.contains("byte 17"))
    }

    @Test("an empty batch is one invalid_request, not an array")
    func emptyBatch() {
        #expect(inbound("[]") == .rejected(JSONRPCResponse(id: nil, error: .invalidRequest("an empty batch"))))
    }

    @Test("a batch is counted without parsing it, through strings, escapes and nested values, and refused over the limit",
          arguments: [
              (#"[{"jsonrpc":"2.0","method":"a","id":1}]"#, 1),
              (#" [ 1 , "a,b]" , {"x":[1,2,{"y":","}]} , [3,4] ] "#, 4),
              (#"["\\",2,"\"],[",{"k":"}"}]"#, 4),
              (#"[[],[],[[],[]]]"#, 3),
          ])
    func batchLength(line: String, length: Int) {
        let refused = JSONRPCInboundMessage(line: Array(line.utf8), limits: JSONRPCServerLimits(maximumBatchLength: length - 1))
        let expected = JSONRPCLimitExceeded.batchLength(length: length, limit: length - 1).standardError
        #expect(refused == .rejected(JSONRPCResponse(id: nil, error: expected)))
        guard case .batch(let entries) = JSONRPCInboundMessage(line: Array(line.utf8), limits: JSONRPCServerLimits(maximumBatchLength: length))
        else {
            Issue.record("a batch of \(length) at a limit of \(length) is not a batch")
            return
        }
        #expect(entries.count == length)
    }

    @Test("a batch keeps each entry's verdict in order")
    func batch() {
        let line = #"[{"jsonrpc":"2.0","method":"a","id":1},{"jsonrpc":"2.0","method":"b"},1,{"foo":"boo"}]"#
        guard case .batch(let entries) = inbound(line) else {
            Issue.record("expected a batch")
            return
        }
        #expect(entries.count == 4)
        #expect(entries[0] == .request(JSONRPCRequest(method: "a", id: .int(1))))
        #expect(entries[1] == .request(.notification(method: "b")))
        #expect(entries[2] == .invalid(JSONRPCResponse(id: nil, error: .invalidRequest("a request must be an object, not an integer"))))
        #expect(entries[3] == .invalid(JSONRPCResponse(id: nil, error: .invalidRequest(#""jsonrpc": "2.0" is missing"#))))
    }

    @Test("responses serialize per the spec and parse back")
    func responses() throws {
        let success = JSONRPCResponse(id: .int(3), result: ["ok": true])
        #expect(success.jsonValue.serialized() == #"{"id":3,"jsonrpc":"2.0","result":{"ok":true}}"#)
        let failure = JSONRPCResponse(id: nil, error: .methodNotFound("nope"))
        #expect(failure.jsonValue.serialized()
            == #"{"error":{"code":-32601,"data":{"kind":"method_not_found"},"message":"method not found: \"nope\""},"id":null,"jsonrpc":"2.0"}"#)
        #expect(JSONRPCResponse(success.jsonValue) == success)
        #expect(JSONRPCResponse(failure.jsonValue) == failure)
        #expect(JSONRPCResponse(["jsonrpc": "2.0", "id": 1, "result": 1, "error": ["code": 1, "message": "x"]]) == nil)
        #expect(JSONRPCResponse(["jsonrpc": "2.0", "id": 1]) == nil)
        #expect(JSONRPCResponse(["id": 1, "result": 1]) == nil)
    }

    @Test("requests serialize with or without id")
    func requests() {
        #expect(JSONRPCRequest(method: "m", params: [1], id: .string("a")).jsonValue.serialized()
            == #"{"id":"a","jsonrpc":"2.0","method":"m","params":[1]}"#)
        #expect(JSONRPCRequest.notification(method: "n").jsonValue.serialized() == #"{"jsonrpc":"2.0","method":"n"}"#)
    }

    @Test("standard errors carry their code and data.kind", arguments: [
        (JSONRPCError.parseError("x"), -32700, "parse_error"),
        (.invalidRequest("x"), -32600, "invalid_request"),
        (.methodNotFound("x"), -32601, "method_not_found"),
        (.invalidParams("x"), -32602, "invalid_params"),
        (.internalError("x"), -32603, "internal"),
    ] as [(JSONRPCError, Int, String)])
    func standardErrors(error: JSONRPCError, code: Int, kind: String) {
        #expect(error.code == code)
        #expect(error.kind == kind)
    }

    @Test("domain errors merge extra fields into data; kind wins")
    func domainErrors() {
        let error = JSONRPCError(code: -32004, kind: "skill_failed", message: "the skill failed",
                                 extra: ["run_id": 42, "status": "failed", "kind": "ignored"])
        #expect(error.data == ["kind": "skill_failed", "run_id": 42, "status": "failed"])
        #expect(JSONRPCError(error.jsonValue) == error)
    }

    @Test("params helpers name the parameter and the expected type")
    func params() throws {
        let params = JSONRPCParams(["skill": "hello", "timeout_ms": 1500, "force": "yes", "nothing": nil])
        #expect(try params.required("skill", as: String.self) == "hello")
        #expect(try params.optional("timeout_ms", as: Int64.self) == 1500)
        #expect(try params.optional("model", as: String.self) == nil)
        #expect(try params.optional("nothing", as: String.self) == nil)
        #expect(throws: JSONRPCError.invalidParams(#"the parameter "force" must be a boolean, not a string"#)) {
            try params.optional("force", as: Bool.self)
        }
        #expect(throws: JSONRPCError.invalidParams(#"the parameter "path" is required (a string)"#)) {
            try params.required("path", as: String.self)
        }
        #expect(throws: JSONRPCError.invalidParams(#"unknown parameter "force"; this method takes "nothing", "skill", "timeout_ms""#)) {
            try params.allowOnly(["skill", "timeout_ms", "nothing"])
        }
        #expect(throws: JSONRPCError.invalidParams("params must be an object of named parameters, not an array")) {
            try JSONRPCParams([1]).required("skill", as: String.self)
        }
        #expect(try JSONRPCParams(nil).optional("skill", as: String.self) == nil)
    }
}

import JSON
import JSONRPC
import SkillhostProtocol
import Testing

/// The outcome of reading params: the request re-encoded, or the `invalid_params` message.
private enum Reading: Equatable {
    case request(JSONValue)
    case refused(String)
}

/// `skills.run` reads its params and writes its result directly, not through Codable: the
/// two paths must give the same answers, errors included.
@Suite("skills.run's direct params and result against the Codable path")
struct DirectParamsTests {
    /// What the Codable default makes of `params`: the request re-encoded, or the error's message.
    private func throughCodable(_ params: JSONValue) -> Reading {
        do {
            let request = try JSONValueDecoder(unknownMembers: .refuse).decode(RunSkillRequest.self, from: params)
            return .request(try request.params)
        } catch let error as JSONValueDecodingError {
            return .refused(JSONRPCError.invalidParams(error.description).message)
        } catch {
            return .refused("\(error)")
        }
    }

    /// What the direct path makes of `params`, in the same terms.
    private func direct(_ params: JSONValue) -> Reading {
        do {
            return .request(try RunSkillRequest.decodeParams(params).params)
        } catch {
            return .refused(error.message)
        }
    }

    @Test("the same requests and the same errors", arguments: [
        ["skill": "echo"],
        ["skill": "echo@1.0.0", "input": ["a": [1, 2]], "model": "gemma", "timeout_ms": 500, "stream": true],
        ["skill": "echo", "input": nil, "model": nil, "timeout_ms": nil, "stream": nil],
        [:],
        ["skill": nil],
        ["skill": 3],
        ["skill": "echo", "timeout_ms": "soon"],
        ["skill": "echo", "timeout_ms": 1.5],
        ["skill": "echo", "stream": "yes"],
        ["skill": "echo", "verbose": true, "zeta": 1],
        ["verbose": true],
    ] as [JSONValue])
    func sameAnswers(params: JSONValue) {
        #expect(direct(params) == throughCodable(params))
    }

    @Test("params that are not an object are refused with the default's message")
    func notAnObject() {
        #expect(throws: JSONRPCError.invalidParams("params must be an object of named parameters, not an array")) {
            try RunSkillRequest.decodeParams([1, 2])
        }
    }

    @Test("the result is written as its Codable conformance writes it", arguments: [nil, 12.5] as [Double?])
    func sameResult(duration: Double?) throws {
        let result = RunResult(runID: 7, status: "succeeded", output: ["text": "hi"],
                               usage: TokenCounts(promptTokens: 3, completionTokens: 4), durationMilliseconds: duration)
        #expect(try RunSkillRequest.encodeResult(result) == JSONValueEncoder(nilMembers: .null).encode(result))
    }
}

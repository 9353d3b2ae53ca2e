import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol
import Testing

/// The `tokens.*` methods through their declarations.
@Suite("tokens.* requests and results")
struct TokenRequestTests {
    @Test("tokens.create writes name, scope and skills, and reads its answer's token and record")
    func create() throws {
        #expect(try CreateTokenRequest(name: "ci", scope: "run", skills: ["hello"]).params
            == ["name": "ci", "scope": "run", "skills": ["hello"]])
        #expect(try CreateTokenRequest(name: "ci", scope: "admin").params == ["name": "ci", "scope": "admin"])
        #expect(throws: JSONRPCError.self) { try CreateTokenRequest.decodeParams(["name": "ci"]) }
        let answer = try CreateTokenRequest.decodeResult(["token": "shk_x", "record": ["name": "ci"], "later": 1])
        #expect(answer.token == "shk_x")
        #expect(answer.record["name"] == "ci")
        #expect(CreateTokenRequest.errorKinds.contains(.permissionDenied))
    }

    @Test("tokens.list and tokens.revoke use include_revoked and token_id on the wire")
    func listAndRevoke() throws {
        #expect(try ListTokensRequest().params == .object([:]))
        #expect(try ListTokensRequest.decodeParams(["include_revoked": true]).includeRevoked == true)
        #expect(try RevokeTokenRequest(tokenID: 4).params == ["token_id": 4])
        #expect(try RevokeTokenRequest(name: "ci").params == ["name": "ci"])
        #expect(throws: JSONRPCError.self) { try RevokeTokenRequest.decodeParams(["id": 4]) }
        for request in [CreateTokenRequest.self, ListTokensRequest.self, RevokeTokenRequest.self] as [any SkillhostRequest.Type] {
            #expect(SkillhostMessages.request(named: request.method) == request)
        }
    }
}

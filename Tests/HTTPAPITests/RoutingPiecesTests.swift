import HTTPServer
import Testing
@testable import HTTPAPI

/// The small pieces routing stands on: path patterns, query decoding, content negotiation.
@Suite("HTTPAPI: path patterns, query parameters, Accept")
struct RoutingPiecesTests {
    @Test("a pattern matches its own paths only, giving each parameter its segment")
    func pathPatterns() {
        let run = HTTPPathPattern("/v1/skills/{name}/run")
        #expect(run.parameterNames == ["name"] && run.description == "/v1/skills/{name}/run")
        #expect(run.match("/v1/skills/echo@1.0.0/run") == ["name": "echo@1.0.0"])
        #expect(run.match("/v1/skills//run") == nil, "a parameter is never empty")
        #expect(run.match("/v1/skills/echo/run/") == nil && run.match("/v1/skills/echo") == nil)
        #expect(run.match("/v1/skill/echo/run") == nil)
        #expect(HTTPPathPattern("/").match("/") == [:] && HTTPPathPattern("/").match("/healthz") == nil)
        #expect(HTTPPathPattern("/healthz").match("/") == nil)
    }

    @Test("query parameters are decoded as a form's: + is a space, %XX a byte, a malformed escape kept as written")
    func queryDecoding() {
        let request = HTTPRequest(method: "GET", target: "/", path: "/", query: "model=a+b%2Fc&timeout_ms=5&bad=%zz&cut=%4&empty&model=last")
        #expect(request.queryParameters.map(\.name) == ["model", "timeout_ms", "bad", "cut", "empty", "model"])
        #expect(request.queryParameters.first?.value == "a b/c")
        #expect(request.queryValue(named: "model") == "last", "the last of a repeated name")
        #expect(request.queryValue(named: "bad") == "%zz" && request.queryValue(named: "cut") == "%4")
        #expect(request.queryValue(named: "empty") == "" && request.queryValue(named: "absent") == nil)
        #expect(HTTPRequest(method: "GET", target: "/", path: "/").queryParameters.isEmpty)
    }

    @Test("Accept names a media type with any weight above 0, whatever its case and spaces")
    func negotiation() {
        func accepts(_ accept: String) -> Bool {
            HTTPRequest(method: "GET", target: "/", path: "/", headers: ["Accept": accept]).accepts("text/event-stream")
        }
        #expect(accepts("text/event-stream") && accepts("application/json, Text/Event-Stream;q=0.5"))
        #expect(!accepts("text/event-stream;q=0") && !accepts("text/event-stream ; q=0.0"))
        #expect(!accepts("application/json") && !accepts("*/*"), "a stream only for who asks for one")
        #expect(!HTTPRequest(method: "GET", target: "/", path: "/").accepts("text/event-stream"))
    }
}

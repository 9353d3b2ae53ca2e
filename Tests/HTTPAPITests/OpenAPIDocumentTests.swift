import Foundation
@testable import HTTPAPI
import HTTPServer
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol
import Testing

/// The OpenAPI document against what it describes: the route list, the protocol's types
/// (through encoding their values), the error kinds, and the copy in docs/.
@Suite("The OpenAPI document matches the routes and the typed protocol")
struct OpenAPIDocumentTests {
    private let document = OpenAPIDocument.document(of: DaemonHTTPRoutes.all)

    /// The component schema `name`.
    private func schema(_ name: String) throws -> JSONValue {
        try #require(document["components"]?["schemas"]?[name], "no component schema \(name)")
    }

    /// The property names of the component schema `name`.
    private func properties(of name: String) throws -> Set<String> {
        Set(try #require(try schema(name)["properties"]?.objectValue, "\(name) has no properties").keys)
    }

    /// The member names of `value`, an object.
    private func members(_ value: JSONValue) throws -> Set<String> {
        Set(try #require(value.objectValue, "\(value) is not an object").keys)
    }

    /// The operations of the document: method and path.
    private var operations: [String] {
        (document["paths"]?.objectValue ?? [:]).flatMap { path, item in
            (item.objectValue ?? [:]).keys.map { "\($0.uppercased()) \(path)" }
        }.sorted()
    }

    @Test("every route of DaemonHTTPRoutes.all is an operation, and nothing else is")
    func everyRoute() {
        let routes = DaemonHTTPRoutes.all.map { "\($0.method) \($0.path)" }
        #expect(operations == routes.sorted())
        #expect(Set(routes).count == routes.count, "a method and path declared twice: \(routes)")
        #expect(routes.contains("GET /openapi.json"))
    }

    @Test("each operation's path parameters are its pattern's, each described by its route, and required")
    func pathParameters() throws {
        for route in DaemonHTTPRoutes.all {
            let operation = try #require(document["paths"]?[route.path.description]?[route.method.lowercased()])
            let inPath = (operation["parameters"]?.arrayValue ?? []).filter { $0["in"] == "path" }
            #expect(inPath.compactMap { $0["name"]?.stringValue } == route.path.parameterNames, "\(route.path)")
            #expect(inPath.allSatisfy { $0["required"] == true }, "\(route.path)")
            let described = route.parameters.filter { $0.location == .path }.map(\.name)
            #expect(described.sorted() == route.path.parameterNames.sorted(),
                    "\(route.method) \(route.path) describes the path parameters \(described), its pattern has \(route.path.parameterNames)")
        }
    }

    @Test("an operation that needs a token names the bearer scheme and its scope; an open one asks for nothing")
    func security() throws {
        for route in DaemonHTTPRoutes.all {
            let operation = try #require(document["paths"]?[route.path.description]?[route.method.lowercased()])
            switch route.access {
            case .open:
                #expect(operation["security"] == [], "\(route.path)")
                let checksATokenItself = route.responses.contains { $0.status == .unauthorized }
                #expect((operation["responses"]?["401"] == nil) != checksATokenItself,
                        "\(route.path): a 401 only from a route that checks a token of its own (the status page's login)")
            case let .token(scope):
                #expect(operation["security"] == [[OpenAPIDocument.securityScheme: []]], "\(route.path)")
                #expect(operation[OpenAPIDocument.scopeExtension] == .string(scope.rawValue), "\(route.path)")
                #expect(operation["description"]?.stringValue?.contains(scope.rawValue) == true, "\(route.path)")
                #expect(operation["responses"]?["401"] != nil && operation["responses"]?["403"] != nil, "\(route.path)")
            case let .tokenOrSessionCookie(scope):
                #expect(operation["security"] == [[OpenAPIDocument.securityScheme: []], [OpenAPIDocument.cookieSecurityScheme: []]],
                        "\(route.path)")
                #expect(operation[OpenAPIDocument.scopeExtension] == .string(scope.rawValue), "\(route.path)")
                #expect(operation["responses"]?["401"]?["content"]?["text/html"] != nil, "\(route.path): the login form")
            }
        }
        let scheme = document["components"]?["securitySchemes"]?[OpenAPIDocument.securityScheme]
        #expect(scheme?["type"] == "http" && scheme?["scheme"] == "bearer", "\(scheme ?? .null)")
        let cookie = document["components"]?["securitySchemes"]?[OpenAPIDocument.cookieSecurityScheme]
        #expect(cookie == ["type": "apiKey", "in": "cookie", "name": .string(StatusPageSession.cookieName),
                           "description": cookie?["description"] ?? .null], "\(cookie ?? .null)")
    }

    @Test("each failure a route declares is a response of its status whose error kind may be the failure's")
    func failures() throws {
        for route in DaemonHTTPRoutes.all {
            let responses = try #require(document["paths"]?[route.path.description]?[route.method.lowercased()]?["responses"])
            #expect(!route.responses.isEmpty, "\(route.path) declares no response")
            for failure in route.allFailures {
                let error = responses[String(failure.status)]?["content"]?["application/json"]?["schema"]?["properties"]?["error"]
                let kinds = error?["allOf"]?[1]?["properties"]?["kind"]?["enum"]?.arrayValue ?? []
                #expect(kinds.contains(.string(failure.kind.rawValue)),
                        "\(route.method) \(route.path): \(failure.status) does not allow \(failure.kind.rawValue)")
            }
            for response in route.responses {
                #expect(responses[String(response.status.code)]?["description"] == .string(response.description))
            }
        }
    }

    @Test("the error body's kind is every ErrorKind, and a JSON-RPC error's code every kind's code")
    func errorKinds() throws {
        let kinds = ErrorKind.allCases.map { JSONValue.string($0.rawValue) }
        #expect(try schema(APISchemas.errorBody)["properties"]?["kind"]?["enum"]?.arrayValue == kinds)
        #expect(try schema(APISchemas.runError)["properties"]?["kind"]?["enum"]?.arrayValue == kinds)
        #expect(try schema(APISchemas.rpcError)["properties"]?["code"]?["enum"]?.arrayValue
            == ErrorKind.allCases.map { .int(Int64($0.code)) })
        #expect(try schema(APISchemas.rpcError)["properties"]?["data"]?["properties"]?["kind"]?["enum"]?.arrayValue == kinds)
        let body = try members(HTTPResponse.errorBody(JSONRPCError(.notFound, message: "gone")))
        #expect(body.isSubset(of: try properties(of: APISchemas.errorBody)), "\(body)")
    }

    @Test("RunResult's schema has exactly the members a RunResult is written with, by the protocol and by Codable")
    func runResult() throws {
        let result = RunResult(runID: 1, status: "succeeded", output: ["a": 1], outputKind: .json,
                               usage: TokenCounts(promptTokens: 1, completionTokens: 2), durationMilliseconds: 0.5)
        let written = try members(try RunSkillRequest.encodeResult(result))
        #expect(written == (try properties(of: APISchemas.runResult)))
        #expect(try members(try JSONValueEncoder(nilMembers: .null).encode(result)) == written)
        #expect(try Set(schema(APISchemas.runResult)["required"]?.arrayValue?.compactMap(\.stringValue) ?? []) == written)
        #expect(try members(result.usage.json) == (try properties(of: APISchemas.tokenCounts)))
    }

    @Test("the skill list and the streamed run's events have exactly the members of the protocol's types")
    func listsAndEvents() throws {
        let encoder = JSONValueEncoder(nilMembers: .null)
        #expect(try members(try encoder.encode(SkillList(skills: []))) == (try properties(of: APISchemas.skillList)))
        #expect(try members(try encoder.encode(RunStartedNotification(runID: 1))) == (try properties(of: APISchemas.runStarted)))
        #expect(try members(try encoder.encode(RunOutputNotification(runID: 1, chunk: "x")))
            == (try properties(of: APISchemas.runOutput)))
        #expect(try members(try encoder.encode(RunLogNotification(runID: 1, level: "info", message: "m")))
            == (try properties(of: APISchemas.runLog)))
    }

    @Test("/rpc's request names exactly the protocol's methods")
    func rpcMethods() throws {
        let methods = try schema(APISchemas.rpcRequest)["properties"]?["method"]?["enum"]?.arrayValue
        #expect(methods == SkillhostMessages.requests.map { .string($0.method) })
    }

    @Test("every $ref names a component schema")
    func references() throws {
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case let .object(members):
                if let target = members["$ref"]?.stringValue { references.append(target) }
                members.values.forEach(collect)
            case let .array(elements):
                elements.forEach(collect)
            default:
                break
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        let prefix = "#/components/schemas/"
        for reference in Set(references) {
            #expect(reference.hasPrefix(prefix) && APISchemas.all[String(reference.dropFirst(prefix.count))] != nil, "\(reference)")
        }
    }

    @Test("docs/openapi.json is the document the routes make (swift run skillhost-openapi > docs/openapi.json)")
    func copyInDocs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let copy = try String(contentsOf: root.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        #expect(copy == OpenAPIDocument.text,
                "docs/openapi.json differs from the routes' document: run `swift run skillhost-openapi > docs/openapi.json`")
        #expect(try JSONValue(parsing: Array(copy.utf8)) == document)
    }
}

import HTTPServer
import JSON
import SkillhostModel

/// The OpenAPI 3.1 document of the daemon's HTTP API, made from its route declarations:
/// each route is an operation, its path parameters the pattern's (``HTTPPathPattern``), its
/// security its access's, its responses the ones it declares and one per status of its
/// failures, with the error body whose `kind` is one of the failures' at that status.
///
/// `GET /openapi.json` serves it, and docs/openapi.json is a copy (`swift run
/// skillhost-openapi > docs/openapi.json` writes it; a test holds the two equal).
package enum OpenAPIDocument {
    /// The name of the bearer token's security scheme.
    package static let securityScheme = "bearer"
    /// The name of the security scheme of the status page's cookie.
    package static let cookieSecurityScheme = "statusPageCookie"
    /// The extension member of an operation that names the token scope it needs.
    package static let scopeExtension = "x-skillhost-scope"

    /// The document of `routes`.
    package static func document(of routes: [HTTPRoute]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for route in routes {
            var item = paths[route.path.description]?.objectValue ?? [:]
            item[route.method.lowercased()] = operation(route)
            paths[route.path.description] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "skillhost", "version": .string(SkillhostRelease.version),
                "description": .string(description),
            ],
            "paths": .object(paths),
            "components": [
                "schemas": .object(APISchemas.all),
                "securitySchemes": [
                    securityScheme: [
                        "type": "http", "scheme": "bearer",
                        "description": .string("a token of `skillctl tokens create NAME --scope "
                            + TokenScope.allCases.map(\.rawValue).joined(separator: "|") + "` (shk_...), "
                            + "as Authorization: Bearer TOKEN; each operation names the scope it needs in "
                            + "\(scopeExtension); admin grants every scope"),
                    ],
                    cookieSecurityScheme: [
                        "type": "apiKey", "in": "cookie", "name": .string(StatusPageSession.cookieName),
                        "description": "an admin token, as POST /login keeps it (HttpOnly, SameSite=Strict); only the status page takes it",
                    ],
                ],
            ],
        ]
    }

    /// The document of the daemon's routes as docs/openapi.json holds it: two-space
    /// indentation, sorted keys, a final newline.
    package static let text: String = document(of: DaemonHTTPRoutes.all).serialized(.pretty) + "\n"

    private static let description: String = {
        let limits = HTTPServerLimits()
        return """
            skillhostd's HTTP API (`--http-listen`). Every answer that refuses or fails is JSON, \
            `{"error": {"kind", "message", ...}}`, its status made from the kind. The HTTP server refuses a request \
            it cannot read before any route sees it, in text/plain: 400 (a malformed request, a path with `.` or \
            `..` segments, plain or percent-encoded), 408 (a slow client), 413 (a body over \(limits.maximumBodyBytes >> 20) MiB), \
            417, 431 (a head over \(limits.maximumHeadBytes >> 10) KiB or \(limits.maximumHeaderCount) fields), 501, 505, \
            and 503 when it already serves \(limits.maximumConnections) connections. A GET operation answers HEAD too; a path \
            asked with a method it does not answer is 405 with Allow.
            """
    }()

    private static func operation(_ route: HTTPRoute) -> JSONValue {
        var operation: [String: JSONValue] = [
            "operationId": .string(operationID(route)),
            "summary": .string(route.summary),
            "responses": responses(route),
        ]
        switch route.access {
        case .open:
            operation["security"] = []
            operation["description"] = "Open to anyone: no token."
        case let .token(scope):
            operation["security"] = [[securityScheme: []]]
            operation["description"] = .string("Needs a bearer token of scope \(grantingScopes(scope)).")
            operation[scopeExtension] = .string(scope.rawValue)
        case let .tokenOrSessionCookie(scope):
            operation["security"] = [[securityScheme: []], [cookieSecurityScheme: []]]
            operation["description"] = .string("Needs a token of scope \(grantingScopes(scope)), as a bearer token or as the "
                + "status page's cookie (POST /login sets it); without one, the login form.")
            operation[scopeExtension] = .string(scope.rawValue)
        }
        let parameters = parameters(route)
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = route.body {
            operation["requestBody"] = [
                "description": .string(body.description), "required": .bool(body.isRequired),
                "content": content(body.content),
            ]
        }
        return .object(operation)
    }

    /// `run or admin`: the scopes that grant `scope`.
    private static func grantingScopes(_ scope: TokenScope) -> String {
        TokenScope.allCases.filter { $0.grants(scope) }.map(\.rawValue).joined(separator: " or ")
    }

    /// `post_v1_skills_name_run`: the method and the path's words.
    private static func operationID(_ route: HTTPRoute) -> String {
        let words = route.path.segments.map { segment in
            switch segment {
            case let .literal(text), let .parameter(text): text
            }
        }
        return ([route.method.lowercased()] + words).joined(separator: "_")
            .map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    /// The path's parameters in the pattern's order, as the route describes them, then its
    /// query parameters.
    private static func parameters(_ route: HTTPRoute) -> [JSONValue] {
        let pathParameters = route.path.parameterNames.map { name in
            route.parameters.first { $0.location == .path && $0.name == name }
                ?? HTTPRouteParameter.path(name, "the \(name)")
        }
        return (pathParameters + route.parameters.filter { $0.location != .path }).map { parameter in
            var members: [String: JSONValue] = [
                "name": .string(parameter.name), "in": .string(parameter.location.rawValue),
                "description": .string(parameter.description), "required": .bool(parameter.isRequired),
                "schema": parameter.schema,
            ]
            if let example = parameter.example { members["example"] = example }
            return .object(members)
        }
    }

    /// The route's responses by status: its own, then one per status of its failures, and
    /// the HTTP server's text/plain refusal of a request it cannot read (400), or whose body
    /// is too large (413) for a route that takes one.
    private static func responses(_ route: HTTPRoute) -> JSONValue {
        var responses: [String: JSONValue] = [:]
        for response in route.responses {
            var members: [String: JSONValue] = ["description": .string(response.description)]
            if !response.content.isEmpty { members["content"] = content(response.content) }
            if !response.headers.isEmpty {
                members["headers"] = .object(Dictionary(uniqueKeysWithValues: response.headers.map { header in
                    (header.name, ["description": .string(header.description), "required": true, "schema": header.schema])
                }))
            }
            responses[String(response.status.code)] = .object(members)
        }
        let failures = route.allFailures
        var statuses = Set(failures.map(\.status))
        statuses.insert(HTTPStatus.badRequest.code)
        if route.body != nil { statuses.insert(HTTPStatus.contentTooLarge.code) }
        for status in statuses {
            let kinds = ErrorKind.allCases.filter { kind in failures.contains { $0.kind == kind && $0.status == status } }
            var media: [String: JSONValue] = [:]
            var meaning: [String] = []
            if !kinds.isEmpty {
                let kindNames = JSONValue.array(kinds.map { .string($0.rawValue) })
                media[HTTPResponse.jsonContentType] = ["schema": [
                    "type": "object", "required": ["error"], "additionalProperties": false,
                    "properties": ["error": ["allOf": [JSONSchema.reference(APISchemas.errorBody),
                                                       ["properties": ["kind": ["enum": kindNames]]]]]],
                ]]
                meaning.append("an error of kind \(kinds.map(\.rawValue).joined(separator: ", "))")
            }
            if status == HTTPStatus.badRequest.code || status == HTTPStatus.contentTooLarge.code {
                media[HTTPRouteContent.text.mediaType] = ["schema": JSONSchema.string]
                meaning.append(status == HTTPStatus.badRequest.code
                    ? "the HTTP server's refusal of a request it cannot read, in text/plain"
                    : "the HTTP server's refusal of a body over its limit, in text/plain")
            }
            responses[String(status)] = ["description": .string(meaning.joined(separator: "; or ")), "content": .object(media)]
        }
        return .object(responses)
    }

    private static func content(_ content: [HTTPRouteContent]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: content.map { item in
            var members: [String: JSONValue] = ["schema": item.schema]
            if let example = item.example { members["example"] = example }
            return (item.mediaType, .object(members))
        }))
    }
}

import HTTPServer
import JSON
import SkillhostProtocol

/// Every route of the daemon's HTTP API, declared once, in the order the router matches them:
/// what the router dispatches by and what the OpenAPI document (``OpenAPIDocument``) says.
enum DaemonHTTPRoutes {
    /// The routes.
    static let all: [HTTPRoute] = [
        HTTPRoute("GET", "/", .tokenOrSessionCookie(.admin),
                  "the status page for an operator's browser (HTML, reloading itself every \(StatusPage.refreshSeconds) s): skills, runs in flight, "
                      + "the latest runs, batches, inference endpoints, runs per minute; without an admin token, the login form",
                  responses: [
                      .ok("the status page", [.html]),
                      HTTPRouteResponse(.unauthorized, "the login form: no token, or one the daemon does not know or revoked "
                          + "(a cookie of such a token is cleared)", [.html]),
                      HTTPRouteResponse(.forbidden, "the login form: a token of another scope than admin", [.html]),
                  ],
                  failures: [HTTPRouteFailure(.internal)], answer: StatusPageRoutes.page),
        HTTPRoute("POST", StatusPageRoutes.loginPath, .open,
                  "the login form's target: an admin token in the form field token sets the status page's cookie "
                      + "(HttpOnly, SameSite=Strict) and redirects to / (303); a refused token answers the form again (401)",
                  body: HTTPRouteBody("the login form", required: true, [
                      HTTPRouteContent("application/x-www-form-urlencoded",
                                       ["type": "object", "properties": [LoginPage.tokenField: JSONSchema.string]]),
                  ]),
                  responses: [
                      HTTPRouteResponse(.seeOther, "logged in: the cookie is set (Set-Cookie) and the page is at Location", []),
                      HTTPRouteResponse(.unauthorized, "the login form again, saying why: no token, or one the daemon does not know "
                          + "or revoked; no cookie is set", [.html]),
                      HTTPRouteResponse(.forbidden, "the login form again: a token of another scope than admin, or a form sent "
                          + "from another site's page (Origin, Referer, Sec-Fetch-Site); no cookie is set", [.html]),
                  ],
                  failures: [HTTPRouteFailure(.internal)], answer: StatusPageRoutes.login),
        HTTPRoute("POST", StatusPageRoutes.logoutPath, .open, "clears the status page's cookie and redirects to / (303)",
                  responses: [
                      HTTPRouteResponse(.seeOther, "logged out: the cookie is cleared (Set-Cookie) and the page is at Location", []),
                      HTTPRouteResponse(.forbidden, "the login form: a form sent from another site's page", [.html]),
                  ],
                  answer: StatusPageRoutes.logout),
        HTTPRoute("GET", "/healthz", .open, "200 while the daemon serves HTTP at all",
                  responses: [.ok("the daemon serves HTTP: ok", [.text])], answer: ProbeRoutes.health),
        HTTPRoute("GET", "/readyz", .open,
                  "200 once the daemon serves its socket and has resumed its batches, 503 before and while it stops",
                  responses: [.ok("ready", [.text]), HTTPRouteResponse(.serviceUnavailable, "starting or stopping", [.text])],
                  answer: ProbeRoutes.readiness),
        HTTPRoute("GET", "/metrics", .token(.metrics), "the Prometheus text exposition of the daemon's metrics",
                  responses: [.ok("the metrics, in the text exposition format 0.0.4", [.text])], answer: ProbeRoutes.metrics),
        HTTPRoute("GET", "/openapi.json", .open, "this document: the OpenAPI 3.1 description of the HTTP API",
                  responses: [.ok("the document", [.json(["type": "object"])])], answer: ProbeRoutes.openAPI),
        HTTPRoute("POST", "/rpc", .token(.admin),
                  "a JSON-RPC 2.0 message or batch of the socket's protocol, answered as the socket answers it; "
                      + "with Accept: text/event-stream, its notifications as events before the response",
                  body: HTTPRouteBody("a request or notification, or a batch of them (docs/PROTOCOL.md)", required: true, [
                      .json(["oneOf": [JSONSchema.reference(APISchemas.rpcRequest),
                                       ["type": "array", "minItems": 1, "items": JSONSchema.reference(APISchemas.rpcRequest)]]],
                            example: ["jsonrpc": "2.0", "id": 1, "method": "host.status"]),
                  ]),
                  responses: [
                      .ok("the response, or the batch's responses; with Accept: text/event-stream, a notification event "
                          + "for each notification of the call and a last response event", [
                              .json(rpcResponses),
                              .eventStream(["notification": JSONSchema.reference(APISchemas.rpcNotification),
                                            "response": rpcResponses]),
                          ]),
                      HTTPRouteResponse(.noContent, "notifications only: no response to give", []),
                  ],
                  failures: [HTTPRouteFailure(.invalidRequest, status: .unsupportedMediaType),
                             HTTPRouteFailure(.invalidRequest, status: .contentTooLarge)],
                  answer: RPCRoute.answer),
        HTTPRoute("GET", "/v1/skills", .token(.run), "the installed skills the token may run",
                  responses: [.ok("the skills, by name then version", [.json(JSONSchema.reference(APISchemas.skillList))])],
                  failures: HTTPRouteFailure.of(ListSkillsRequest.self), answer: SkillRoutes.list),
        HTTPRoute("GET", "/v1/skills/{name}", .token(.run), "one installed skill, NAME or NAME@VERSION",
                  parameters: [skillParameter],
                  responses: [.ok("the skill", [.json(JSONSchema.reference(APISchemas.skillRecord))])],
                  failures: HTTPRouteFailure.of(GetSkillRequest.self) + [HTTPRouteFailure(.permissionDenied)],
                  answer: SkillRoutes.show),
        HTTPRoute("POST", "/v1/skills/{name}/run", .token(.run),
                  "runs the skill on the body as its input and answers with its output, the run's id in Skillhost-Run-Id; "
                      + "with Accept: text/event-stream, streams started, output and log events and a final result or error",
                  parameters: [
                      skillParameter,
                      .query("model", "the model the skill's inference calls use when they name none; default: the daemon's",
                             ["type": "string", "minLength": 1]),
                      .query("timeout_ms", "the run's deadline in milliseconds, at most max_run_timeout_ms; default: the daemon's",
                             ["type": "integer", "format": "int64", "minimum": 1]),
                  ],
                  body: HTTPRouteBody("the skill's input: JSON, or text (a JSON string); none is {}", required: false, [
                      .json(JSONSchema.any, example: ["name": "Ada"]), .text,
                  ]),
                  responses: [
                      .ok("the output: JSON for a skill whose output is JSON, text otherwise; with Accept: text/event-stream, "
                          + "the events started, output and log as the skill makes them, and a last result or error",
                          [.json(JSONSchema.any), .text, .eventStream(runEvents)], headers: [.runID]),
                  ],
                  failures: HTTPRouteFailure.of(RunSkillRequest.self) + [
                      HTTPRouteFailure(.permissionDenied), HTTPRouteFailure(.invalidRequest),
                      HTTPRouteFailure(.invalidInput, status: .unsupportedMediaType),
                      HTTPRouteFailure(.invalidInput, status: .contentTooLarge),
                  ],
                  answer: RunRoute.answer),
        HTTPRoute("POST", "/mcp", .token(.run),
                  "one MCP message of a Streamable HTTP session (initialize makes one, named in Mcp-Session-Id): "
                      + "the installed skills the token may run as tools",
                  parameters: [mcpSession(required: false)],
                  body: HTTPRouteBody("one JSON-RPC message of MCP: a request, a notification or a response", required: true, [
                      .json(["type": "object"], example: [
                          "jsonrpc": "2.0", "id": 1, "method": "initialize",
                          "params": ["protocolVersion": "2025-11-25", "capabilities": [:], "clientInfo": ["name": "curl", "version": "1"]],
                      ]),
                  ]),
                  responses: [
                      .ok("the request's response (an initialize's with the new session's id in Mcp-Session-Id); with Accept: "
                          + "text/event-stream, a message event for each of its progress notifications and a last one for its response", [
                              .json(JSONSchema.reference(APISchemas.rpcResponse)),
                              .eventStream(["message": ["type": "object"]]),
                          ]),
                      HTTPRouteResponse(.accepted, "a notification or a response: taken", []),
                  ],
                  failures: [HTTPRouteFailure(.parseError), HTTPRouteFailure(.invalidRequest), HTTPRouteFailure(.notFound),
                             HTTPRouteFailure(.overloaded), HTTPRouteFailure(.invalidRequest, status: .unsupportedMediaType)],
                  answer: MCPRoute.post),
        HTTPRoute("GET", "/mcp", .token(.run), "the stream of an MCP session's own notifications (tools/list_changed)",
                  parameters: [mcpSession(required: true)],
                  responses: [.ok("the session's notifications, each a message event", [.eventStream(["message": ["type": "object"]])])],
                  failures: [HTTPRouteFailure(.invalidRequest), HTTPRouteFailure(.notFound),
                             HTTPRouteFailure(.invalidRequest, status: .notAcceptable)],
                  answer: MCPRoute.listen),
        HTTPRoute("DELETE", "/mcp", .token(.run), "ends an MCP session",
                  parameters: [mcpSession(required: true)],
                  responses: [HTTPRouteResponse(.noContent, "the session ended", [])],
                  failures: [HTTPRouteFailure(.invalidRequest), HTTPRouteFailure(.notFound)],
                  answer: MCPRoute.delete),
        HTTPRoute("GET", "/v1/runs/{id}", .token(.run), "one run in full; a run token sees only the runs it started",
                  parameters: [runIDParameter],
                  responses: [.ok("the run", [.json(JSONSchema.reference(APISchemas.runRecord))])],
                  failures: HTTPRouteFailure.of(GetRunRequest.self), answer: SkillRoutes.run),
        HTTPRoute("POST", "/v1/runs/{id}/cancel", .token(.run),
                  "ends a run in flight at once as cancelled; a run token only the runs it started",
                  parameters: [runIDParameter],
                  responses: [.ok("whether this cancel ended the run, and its final record",
                                  [.json(JSONSchema.reference(APISchemas.cancelledRun))])],
                  failures: HTTPRouteFailure.of(CancelRunRequest.self), answer: RunFollowRoutes.cancel),
        HTTPRoute("GET", "/v1/runs/{id}/events", .token(.run),
                  "a run's output and log events from its beginning, live while it runs, then end with its record or error; "
                      + "a run token only the runs it started",
                  parameters: [runIDParameter],
                  responses: [.ok("the run's events", [.eventStream(followEvents)])],
                  failures: HTTPRouteFailure.of(AttachRunRequest.self), answer: RunFollowRoutes.events),
    ]

    /// The events of a followed run (`runs.attach`), in the order they come.
    private static let followEvents: KeyValuePairs<String, JSONValue> = [
        "output": JSONSchema.reference(APISchemas.runOutput), "log": JSONSchema.reference(APISchemas.runLog),
        "end": JSONSchema.reference(APISchemas.runSummary), "error": JSONSchema.reference(APISchemas.errorBody),
    ]

    /// A run, by its id.
    private static let runIDParameter = HTTPRouteParameter.path(
        "id", "the run's id", ["type": "integer", "format": "int64", "minimum": 1])

    /// The events of a streamed run, in the order they come.
    private static let runEvents: KeyValuePairs<String, JSONValue> = [
        "started": JSONSchema.reference(APISchemas.runStarted), "output": JSONSchema.reference(APISchemas.runOutput),
        "log": JSONSchema.reference(APISchemas.runLog), "result": JSONSchema.reference(APISchemas.runResult),
        "error": JSONSchema.reference(APISchemas.errorBody),
    ]

    /// What `/rpc` answers: a response, or a batch's.
    private static let rpcResponses: JSONValue = ["oneOf": [
        JSONSchema.reference(APISchemas.rpcResponse), JSONSchema.array(of: JSONSchema.reference(APISchemas.rpcResponse)),
    ]]

    /// The `Mcp-Session-Id` header of a request of an MCP session.
    private static func mcpSession(required: Bool) -> HTTPRouteParameter {
        .header(MCPRoute.sessionHeader, "the MCP session, as the answer to initialize named it", required: required)
    }

    /// A skill, `NAME` or `NAME@VERSION`.
    private static let skillParameter = HTTPRouteParameter.path(
        "name", "the skill: NAME (its highest version) or NAME@VERSION", ["type": "string", "minLength": 1], example: "hello")
}

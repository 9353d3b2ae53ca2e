import HTTPServer

/// Every route of the daemon's HTTP API, declared once, in the order the router matches them.
enum DaemonHTTPRoutes {
    /// The routes.
    static let all: [HTTPRoute] = [
        HTTPRoute("GET", "/healthz", .open, "200 while the daemon serves HTTP at all", answer: ProbeRoutes.health),
        HTTPRoute("GET", "/readyz", .open,
                  "200 once the daemon serves its socket and has resumed its batches, 503 before and while it stops",
                  answer: ProbeRoutes.readiness),
        HTTPRoute("GET", "/metrics", .token(.metrics), "the Prometheus text exposition of the daemon's metrics",
                  answer: ProbeRoutes.metrics),
        HTTPRoute("POST", "/rpc", .token(.admin),
                  "a JSON-RPC 2.0 message or batch of the socket's protocol, answered as the socket answers it; "
                      + "with Accept: text/event-stream, its notifications as events before the response",
                  answer: RPCRoute.answer),
        HTTPRoute("GET", "/v1/skills", .token(.run), "the installed skills the token may run", answer: SkillRoutes.list),
        HTTPRoute("GET", "/v1/skills/{name}", .token(.run), "one installed skill, NAME or NAME@VERSION",
                  answer: SkillRoutes.show),
        HTTPRoute("POST", "/v1/skills/{name}/run", .token(.run),
                  "runs the skill on the body as its input and answers with its output, the run's id in Skillhost-Run-Id; "
                      + "with Accept: text/event-stream, streams started, output and log events and a final result or error",
                  answer: RunRoute.answer),
        HTTPRoute("POST", "/mcp", .token(.run),
                  "one MCP message of a Streamable HTTP session (initialize makes one, named in Mcp-Session-Id): "
                      + "the installed skills the token may run as tools", answer: MCPRoute.post),
        HTTPRoute("GET", "/mcp", .token(.run), "the stream of an MCP session's own notifications (tools/list_changed)",
                  answer: MCPRoute.listen),
        HTTPRoute("DELETE", "/mcp", .token(.run), "ends an MCP session", answer: MCPRoute.delete),
        HTTPRoute("GET", "/v1/runs/{id}", .token(.run), "one run in full; a run token sees only the runs it started",
                  answer: SkillRoutes.run),
    ]
}

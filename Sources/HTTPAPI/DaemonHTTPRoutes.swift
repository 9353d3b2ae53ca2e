import HTTPServer

/// Every route of the daemon's HTTP API, declared once, in the order the router matches them.
enum DaemonHTTPRoutes {
    /// The routes.
    static let all: [HTTPRoute] = [
        HTTPRoute("GET", "/", .tokenOrSessionCookie(.admin),
                  "the status page for an operator's browser (HTML, reloading itself every \(StatusPage.refreshSeconds) s): skills, runs in flight, "
                      + "the latest runs, batches, inference endpoints, runs per minute; without an admin token, the login form",
                  answer: StatusPageRoutes.page),
        HTTPRoute("POST", StatusPageRoutes.loginPath, .open,
                  "the login form's target: an admin token in the form field token sets the status page's cookie "
                      + "(HttpOnly, SameSite=Strict) and redirects to / (303); a refused token answers the form again (401)",
                  answer: StatusPageRoutes.login),
        HTTPRoute("POST", StatusPageRoutes.logoutPath, .open, "clears the status page's cookie and redirects to / (303)",
                  answer: StatusPageRoutes.logout),
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
        HTTPRoute("GET", "/v1/runs/{id}", .token(.run), "one run in full; a run token sees only the runs it started",
                  answer: SkillRoutes.run),
    ]
}

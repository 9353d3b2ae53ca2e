import HTTPServer

/// One endpoint of the daemon's HTTP API, declared once: its method and path, who may use
/// it, a line saying what it does, and how it answers. The router dispatches by these, and
/// the OpenAPI document is made from them.
package struct HTTPRoute: Sendable {
    /// `GET` or `POST`; a `GET` route answers `HEAD` too.
    package let method: String
    /// The path, with its parameters.
    package let path: HTTPPathPattern
    /// The token it needs.
    package let access: HTTPRouteAccess
    /// What it does, in one line.
    package let summary: String
    /// The answer to a request the router matched to it and admitted.
    let answer: @Sendable (HTTPRouteRequest) async -> HTTPResponse

    init(_ method: String, _ path: String, _ access: HTTPRouteAccess, _ summary: String,
         answer: @escaping @Sendable (HTTPRouteRequest) async -> HTTPResponse) {
        self.method = method
        self.path = HTTPPathPattern(path)
        self.access = access
        self.summary = summary
        self.answer = answer
    }
}

import HTTPServer

/// One endpoint of the daemon's HTTP API, declared once: its method and path, who may use
/// it, a line saying what it does, what it takes and answers, and how it answers. The router
/// dispatches by these, and the OpenAPI document (``OpenAPIDocument``) is made from them.
package struct HTTPRoute: Sendable {
    /// `GET` or `POST`; a `GET` route answers `HEAD` too.
    package let method: String
    /// The path, with its parameters.
    package let path: HTTPPathPattern
    /// The token it needs.
    package let access: HTTPRouteAccess
    /// What it does, in one line.
    package let summary: String
    /// What the path parameters of ``path`` mean, and the query parameters it reads.
    package let parameters: [HTTPRouteParameter]
    /// The body it takes; nil when it reads none.
    package let body: HTTPRouteBody?
    /// What it answers when it does what it is for.
    package let responses: [HTTPRouteResponse]
    /// The ways it fails besides its access's (``HTTPRouteAccess/failures``).
    package let failures: [HTTPRouteFailure]
    /// The answer to a request the router matched to it and admitted.
    let answer: @Sendable (HTTPRouteRequest) async -> HTTPResponse

    init(_ method: String, _ path: String, _ access: HTTPRouteAccess, _ summary: String,
         parameters: [HTTPRouteParameter] = [], body: HTTPRouteBody? = nil, responses: [HTTPRouteResponse],
         failures: [HTTPRouteFailure] = [], answer: @escaping @Sendable (HTTPRouteRequest) async -> HTTPResponse) {
        self.method = method
        self.path = HTTPPathPattern(path)
        self.access = access
        self.summary = summary
        self.parameters = parameters
        self.body = body
        self.responses = responses
        self.failures = failures
        self.answer = answer
    }

    /// Every way it fails: its access's, then its own, each once.
    package var allFailures: [HTTPRouteFailure] {
        var seen = Set<HTTPRouteFailure>()
        return (access.failures + failures).filter { seen.insert($0).inserted }
    }
}

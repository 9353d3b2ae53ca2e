import HTTPServer

/// The answers of the probes, of `/metrics` and of `/openapi.json`: no protocol call.
enum ProbeRoutes {
    @Sendable static func health(_ request: HTTPRouteRequest) async -> HTTPResponse {
        .text("ok")
    }

    @Sendable static func readiness(_ request: HTTPRouteRequest) async -> HTTPResponse {
        request.services.isReady() ? .text("ready") : .text("starting or stopping", status: .serviceUnavailable)
    }

    @Sendable static func metrics(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let exposition = request.services.metrics()
        return HTTPResponse(status: .ok, headers: ["Content-Type": exposition.contentType], body: Array(exposition.text.utf8))
    }

    @Sendable static func openAPI(_ request: HTTPRouteRequest) async -> HTTPResponse {
        HTTPResponse(status: .ok, headers: ["Content-Type": HTTPResponse.jsonContentType], body: Array(OpenAPIDocument.text.utf8))
    }
}

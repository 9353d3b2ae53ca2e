import HTTPServer

/// A tiny handler for the tests: `/echo` answers with the request's body and tells what it
/// saw in `X-` headers; `/stream` streams three server-sent events 700 ms apart; `/empty`
/// is 204; the rest is 404.
struct ExampleHandler: HTTPHandler {
    /// The pause between two events of `/stream`.
    static let eventInterval = Duration.milliseconds(700)

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        switch request.path {
        case "/echo":
            let headers: HTTPHeaders = [
                "Content-Type": "application/octet-stream", "X-Method": request.method, "X-Query": request.query ?? "",
                "X-Body-Length": "\(request.body.count)",
                "X-Transfer-Encoding": request.headers["Transfer-Encoding"] ?? "",
                "X-Expect": request.headers["Expect"] ?? "", "X-Version": request.version.rawValue,
            ]
            return HTTPResponse(status: .ok, headers: headers, body: request.body)
        case "/stream":
            return HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store"]) { writer in
                for index in 0..<3 {
                    if index > 0 { try? await Task.sleep(for: Self.eventInterval) }
                    do throws(HTTPClientGone) {
                        try await writer.write("event: tick\ndata: \(index)\n\n")
                    } catch {
                        return
                    }
                }
            }
        case "/empty":
            return HTTPResponse(status: .noContent)
        default:
            return .text("no route for \(request.path)", status: .notFound)
        }
    }
}

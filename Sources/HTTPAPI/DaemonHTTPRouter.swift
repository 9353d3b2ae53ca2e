import HTTPServer
import Registry
import SkillhostModel

/// The daemon's HTTP API: it matches a request to a route of ``routes`` by path and method,
/// checks the token the route needs, and lets the route answer.
///
/// - A path no route has: 404. A path some route has, with another method: 405 with `Allow`.
///   A `GET` route answers `HEAD` too.
/// - A route of ``HTTPRouteAccess/token(_:)``: 401 (with `WWW-Authenticate: Bearer`) without
///   a token, or with one the daemon does not know or revoked; 403 with one whose scope does
///   not grant the route's. Nothing is called, run or recorded for a refused request.
///
/// - A route of ``HTTPRouteAccess/tokenOrSessionCookie(_:)`` (the status page): the same
///   token as a bearer token or as the page's cookie (``StatusPageSession``); refused, the
///   login form (HTML; 401, or 403 for a token of another scope), which also clears a cookie
///   that no longer admits; a registry that cannot be read is the API's 500.
///
/// Tokens are checked against the registry (``Registry/verifyToken(_:scope:skill:at:)``),
/// which keeps only their SHA-256; a refusal never repeats the token. Every answer of the
/// API's refusals and failed calls is JSON: `{"error": {"kind", "message", ...}}`, its
/// status made from the kind (``SkillhostModel/ErrorKind/httpStatus``).
public struct DaemonHTTPRouter: HTTPHandler {
    /// The header that names the run a response is about.
    package static let runIDHeader = "Skillhost-Run-Id"

    private let services: DaemonHTTPServices
    /// Every route, in the order they are matched.
    package let routes: [HTTPRoute]

    /// A router answering from `services`.
    public init(services: DaemonHTTPServices) {
        self.services = services
        routes = DaemonHTTPRoutes.all
    }

    /// Answers `request` as the type's documentation says, and counts it.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let started = ContinuousClock.now
        let (route, response) = await answer(request)
        services.recordRequest(route?.path.description ?? "other", request.method, response.status.code, .now - started)
        return response
    }

    /// The route `request` went to, if any, and its answer.
    private func answer(_ request: HTTPRequest) async -> (HTTPRoute?, HTTPResponse) {
        let matches = routes.compactMap { route in route.path.match(request.path).map { (route, $0) } }
        guard !matches.isEmpty else {
            return (nil, .failure(.notFound, "no such path: \(request.path); the API's paths are in GET /openapi.json"))
        }
        guard let (route, parameters) = matches.first(where: { $0.0.answers(request.method) }) else {
            let allowed = Set(matches.flatMap { $0.0.method == "GET" ? ["GET", "HEAD"] : [$0.0.method] }).sorted()
            var refusal = HTTPResponse.failure(.methodNotFound, "\(request.path) answers \(allowed.joined(separator: ", ")), "
                + "not \(request.method)", status: .methodNotAllowed)
            refusal.headers.append(name: "Allow", value: allowed.joined(separator: ", "))
            return (matches[0].0, refusal)
        }
        let token: TokenRecord?
        switch route.access {
        case .open:
            token = nil
        case let .token(scope):
            switch services.admit(Self.bearerToken(of: request), needing: scope) {
            case let .success(record): token = record
            case let .failure(failure): return (route, Self.refusal(of: request, needing: scope, failure))
            }
        case let .tokenOrSessionCookie(scope):
            let cookie = StatusPageSession.token(in: request)
            switch services.admit(Self.bearerToken(of: request) ?? cookie, needing: scope) {
            case let .success(record): token = record
            case let .failure(.unavailable(message)): return (route, .failure(.internal, message))
            case let .failure(failure):
                return (route, StatusPageRoutes.loginForm(after: failure, clearingCookie: cookie != nil, secure: services.servesTLS))
            }
        }
        return (route, await route.answer(HTTPRouteRequest(request: request, parameters: parameters, token: token, services: services)))
    }

    /// The token of `Authorization: Bearer TOKEN`, if the request has one.
    private static func bearerToken(of request: HTTPRequest) -> String? {
        let scheme = "bearer "
        guard let authorization = request.headers["Authorization"], authorization.lowercased().hasPrefix(scheme) else { return nil }
        return String(authorization.dropFirst(scheme.count).drop { $0 == " " })
    }

    /// The API's answer to a request whose token is not admitted to a route needing `scope`:
    /// JSON, 401 with `WWW-Authenticate: Bearer` or 403; it never repeats the token.
    private static func refusal(of request: HTTPRequest, needing scope: TokenScope,
                                _ failure: TokenAdmissionFailure) -> HTTPResponse {
        var response: HTTPResponse
        switch failure {
        case .missing:
            response = .failure(.permissionDenied, "\(request.path) needs a bearer token of scope \(scope.rawValue) "
                + "(skillctl tokens create NAME --scope \(scope.rawValue)): Authorization: Bearer TOKEN")
        case let .refused(refusal):
            response = .failure(.permissionDenied, "\(refusal)")
        case let .unavailable(message):
            return .failure(.internal, message)
        }
        if failure.isUnauthenticated {
            response.status = .unauthorized
            response.headers.append(name: "WWW-Authenticate", value: "Bearer")
        }
        return response
    }
}

extension HTTPRoute {
    /// Whether the route answers requests of `method`.
    func answers(_ method: String) -> Bool {
        self.method == method || (self.method == "GET" && method == "HEAD")
    }
}

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
/// Tokens come in `Authorization: Bearer TOKEN` and are checked against the registry
/// (``Registry/verifyToken(_:scope:skill:at:)``), which keeps only their SHA-256; a refusal
/// never repeats the token. Every answer of a refusal or a failed call is JSON:
/// `{"error": {"kind", "message", ...}}`, its status made from the kind
/// (``SkillhostModel/ErrorKind/httpStatus``).
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
        var token: TokenRecord?
        if case let .token(scope) = route.access {
            switch admit(request, needing: scope) {
            case let .success(record): token = record
            case let .failure(refusal): return (route, refusal.response)
            }
        }
        return (route, await route.answer(HTTPRouteRequest(request: request, parameters: parameters, token: token, services: services)))
    }

    /// The token of `request` when it allows `scope`, or the refusal to answer with.
    private func admit(_ request: HTTPRequest, needing scope: TokenScope) -> Result<TokenRecord, HTTPRefusal> {
        let scheme = "bearer "
        guard let authorization = request.headers["Authorization"], authorization.lowercased().hasPrefix(scheme) else {
            return .failure(.unauthenticated("\(request.path) needs a bearer token of scope \(scope.rawValue) "
                + "(skillctl tokens create NAME --scope \(scope.rawValue)): Authorization: Bearer TOKEN"))
        }
        let check: TokenCheck
        do {
            let presented = authorization.dropFirst(scheme.count).drop { $0 == " " }
            check = try services.registry.verifyToken(String(presented), scope: scope)
        } catch {
            return .failure(.response(.failure(.internal, "the daemon cannot check tokens now: its registry cannot be read")))
        }
        switch check {
        case let .accepted(record):
            return .success(record)
        case let .refused(refusal) where refusal.isAuthenticated:
            return .failure(.response(.failure(.permissionDenied, "\(refusal)")))
        case let .refused(refusal):
            return .failure(.unauthenticated("\(refusal)"))
        }
    }
}

/// Why a request is refused before its route answers.
private enum HTTPRefusal: Error {
    /// No token, or one that authenticates nobody: 401.
    case unauthenticated(String)
    /// Any other refusal, as it is answered.
    case response(HTTPResponse)

    var response: HTTPResponse {
        switch self {
        case let .unauthenticated(message):
            var response = HTTPResponse.failure(.permissionDenied, message)
            response.status = .unauthorized
            response.headers.append(name: "WWW-Authenticate", value: "Bearer")
            return response
        case let .response(response):
            return response
        }
    }
}

extension HTTPRoute {
    /// Whether the route answers requests of `method`.
    func answers(_ method: String) -> Bool {
        self.method == method || (self.method == "GET" && method == "HEAD")
    }
}

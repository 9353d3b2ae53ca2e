import HTTPServer
import Registry
import SkillhostModel

/// The daemon's HTTP API: what each path answers, and which token it needs.
///
/// - `GET /healthz`: 200 while the process serves HTTP at all (no token).
/// - `GET /readyz`: 200 once the daemon serves its socket and has resumed its batches, 503
///   before (no token).
/// - `GET /metrics`: the Prometheus text exposition, for a bearer token of scope `metrics`
///   (or `admin`): 401 without a token or with one the daemon does not know or revoked
///   (with `WWW-Authenticate: Bearer`), 403 with one of another scope.
/// - Anything else: 404; another method on a known path: 405 with `Allow`.
///
/// Tokens are checked against the registry (``Registry/verifyToken(_:scope:skill:at:)``),
/// which keeps only their SHA-256; a refusal never repeats the token.
public struct DaemonHTTPRouter: HTTPHandler {
    private let registry: Registry
    private let isReady: @Sendable () -> Bool
    private let metrics: @Sendable () -> (contentType: String, text: String)

    /// A router over `registry`'s tokens, asking `isReady` for `/readyz` and `metrics` for `/metrics`.
    public init(registry: Registry, isReady: @escaping @Sendable () -> Bool,
                metrics: @escaping @Sendable () -> (contentType: String, text: String)) {
        self.registry = registry
        self.isReady = isReady
        self.metrics = metrics
    }

    /// Answers `request` as the type's documentation says.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let route: (scope: TokenScope?, answer: () -> HTTPResponse)
        switch request.path {
        case "/healthz":
            route = (nil, { .text("ok\n") })
        case "/readyz":
            route = (nil, { isReady() ? .text("ready\n") : .text("starting\n", status: .serviceUnavailable) })
        case "/metrics":
            route = (.metrics, {
                let exposition = metrics()
                return HTTPResponse(status: .ok, headers: ["Content-Type": exposition.contentType],
                                    body: Array(exposition.text.utf8))
            })
        default:
            return .text("no such path: \(request.path)\n", status: .notFound)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var refusal = HTTPResponse.text("\(request.path) answers GET only\n", status: .methodNotAllowed)
            refusal.headers.append(name: "Allow", value: "GET, HEAD")
            return refusal
        }
        if let scope = route.scope, let refusal = refusal(of: request, needing: scope) { return refusal }
        return route.answer()
    }

    /// The answer to a request whose token does not allow `scope`, or nil when it does.
    private func refusal(of request: HTTPRequest, needing scope: TokenScope) -> HTTPResponse? {
        let prefix = "Bearer "
        guard let authorization = request.headers["Authorization"], authorization.hasPrefix(prefix) else {
            return unauthorized("\(request.path) needs a bearer token of scope \(scope.rawValue) "
                + "(skillctl tokens create NAME --scope \(scope.rawValue)): Authorization: Bearer TOKEN")
        }
        let check: TokenCheck
        do {
            check = try registry.verifyToken(String(authorization.dropFirst(prefix.count)), scope: scope)
        } catch {
            return .text("cannot check the token: \(error)\n", status: .internalServerError)
        }
        switch check {
        case .accepted:
            return nil
        case let .refused(refusal) where refusal.isAuthenticated:
            return .text("\(refusal)\n", status: .forbidden)
        case let .refused(refusal):
            return unauthorized("\(refusal)")
        }
    }

    private func unauthorized(_ message: String) -> HTTPResponse {
        var response = HTTPResponse.text(message + "\n", status: .unauthorized)
        response.headers.append(name: "WWW-Authenticate", value: "Bearer")
        return response
    }
}

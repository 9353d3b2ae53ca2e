import Foundation
import HTTPServer
import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol

/// The answers of the status page: the page itself, read through the protocol in the
/// token's name, and the login and logout that set and clear its cookie
/// (``StatusPageSession``).
enum StatusPageRoutes {
    /// Where the login form posts the token.
    static let loginPath = "/login"
    /// Where the page's button posts to log out.
    static let logoutPath = "/logout"

    /// `GET /`: the status page (``StatusPage``) of a snapshot read now with `host.status`,
    /// `skills.list`, `runs.active`, `runs.list`, `runs.per_minute` and `batches.list`.
    @Sendable static func page(_ request: HTTPRouteRequest) async -> HTTPResponse {
        do {
            let snapshot = StatusSnapshot(
                hostStatus: try await request.call(HostStatusRequest()),
                skills: try await request.call(ListSkillsRequest()),
                activeRuns: try await request.call(ActiveRunsRequest()),
                runs: try await request.call(ListRunsRequest(limit: Int64(StatusSnapshot.listedRuns))),
                runsPerMinute: try await request.call(RunsPerMinuteRequest(minutes: Int64(StatusSnapshot.chartMinutes))),
                batches: try await request.call(ListBatchesRequest(limit: StatusSnapshot.listedBatches)),
                takenAt: Date())
            return html(StatusPage(snapshot: snapshot).html)
        } catch {
            return .failure(error)
        }
    }

    /// `POST /login`: checks the form's token for the admin scope; accepted, sets the cookie
    /// and sends the browser to `/` (303); refused, the form again with why (401), no cookie.
    /// A form posted from another site's page is refused (403).
    @Sendable static func login(_ request: HTTPRouteRequest) async -> HTTPResponse {
        guard StatusPageSession.isSameOrigin(request.request) else { return crossSiteRefusal }
        let field = request.request.formParameters.last { $0.name == LoginPage.tokenField }?.value
        let presented = field.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        switch request.services.admit(presented, needing: .admin) {
        case .success:
            var response = redirectToPage
            response.headers.append(name: "Set-Cookie", value: StatusPageSession.cookie(keeping: presented ?? "", secure: request.services.servesTLS))
            return response
        case let .failure(.unavailable(message)):
            return .failure(.internal, message)
        case let .failure(failure):
            return loginForm(after: failure, clearingCookie: false, isLoginAttempt: true)
        }
    }

    /// `POST /logout`: clears the cookie and sends the browser to `/` (303).
    @Sendable static func logout(_ request: HTTPRouteRequest) async -> HTTPResponse {
        guard StatusPageSession.isSameOrigin(request.request) else { return crossSiteRefusal }
        var response = redirectToPage
        response.headers.append(name: "Set-Cookie", value: StatusPageSession.clearingCookie(secure: request.services.servesTLS))
        return response
    }

    /// The login form answered for a request whose token is not admitted (401; 403 for a
    /// known token of another scope), saying why; for a page request without a token (a first
    /// visit), just the form. `isLoginAttempt`: the request is the form's own post.
    /// `clearingCookie` makes the browser forget the cookie that was presented (`Secure` when
    /// `secure`, over TLS).
    static func loginForm(after failure: TokenAdmissionFailure, clearingCookie: Bool, secure: Bool = false,
                          isLoginAttempt: Bool = false) -> HTTPResponse {
        let message: String? = switch failure {
        case .missing: isLoginAttempt ? "Give an admin token." : nil
        case let .refused(refusal): "The token is refused: \(refusal)."
        case let .unavailable(reason): "The token cannot be checked now: \(reason)"
        }
        var response = html(LoginPage.html(message: message), status: failure.isUnauthenticated ? .unauthorized : .forbidden)
        if failure.isUnauthenticated { response.headers.append(name: "WWW-Authenticate", value: "Bearer") }
        if clearingCookie { response.headers.append(name: "Set-Cookie", value: StatusPageSession.clearingCookie(secure: secure)) }
        return response
    }

    private static var redirectToPage: HTTPResponse {
        HTTPResponse(status: .seeOther, headers: ["Location": "/", "Cache-Control": "no-store"])
    }

    private static var crossSiteRefusal: HTTPResponse {
        html(LoginPage.html(message: "This form was sent from another site's page, and is refused: "
                + "open the status page itself and log in there."), status: .forbidden)
    }

    /// A page of `document`: never cached, never framed, and allowed no script and no request
    /// to anywhere (its style is inline), so that even text that escaped escaping could not act.
    private static func html(_ document: String, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: [
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        ], body: Array(document.utf8))
    }
}

import SkillhostModel

/// Who may use a route: anyone, or the holder of a token of a scope.
package enum HTTPRouteAccess: Sendable, Equatable {
    /// No token is asked for (probes: `/healthz`, `/readyz`; the status page's login).
    case open
    /// A bearer token (`Authorization: Bearer TOKEN`) whose scope grants this one
    /// (``TokenScope/grants(_:)``).
    case token(TokenScope)
    /// A token whose scope grants this one, as a bearer token or as the status page's cookie
    /// (``StatusPageSession``); a request without one is answered the login form.
    ///
    /// Only the status page's own `GET` routes take the cookie. A browser sends a cookie with
    /// every request to its site, even one that another site's page makes it send (a form
    /// posted to `/rpc`, say): a route that took the cookie could be made to act by any page
    /// its holder visits. The API's routes take only the header, which no other site can make
    /// a browser send; the cookie is `SameSite=Strict` besides.
    case tokenOrSessionCookie(TokenScope)

    /// The scope the route needs; nil for an open route.
    package var scope: TokenScope? {
        switch self {
        case .open: nil
        case let .token(scope), let .tokenOrSessionCookie(scope): scope
        }
    }
}

import SkillhostModel

/// Who may use a route: anyone, or the holder of a bearer token of a scope.
package enum HTTPRouteAccess: Sendable, Equatable {
    /// No token is asked for (probes: `/healthz`, `/readyz`).
    case open
    /// A token whose scope grants this one (``TokenScope/grants(_:)``).
    case token(TokenScope)
}

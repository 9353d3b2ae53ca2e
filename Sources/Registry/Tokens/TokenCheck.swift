import SkillhostModel

/// The answer of ``Registry/verifyToken(_:scope:skill:at:)``: the token accepted, or why
/// it is refused.
public enum TokenCheck: Sendable, Equatable {
    /// The token is valid for what was asked; its name is the caller to record.
    case accepted(TokenRecord)
    /// The token may not do what was asked.
    case refused(TokenRefusal)
}

/// Why a presented token is refused. ``unknown`` and ``revoked`` mean the holder is not
/// authenticated (HTTP 401); ``wrongScope(name:scope:needed:)`` and
/// ``skillNotAllowed(name:skill:)`` that it is, but not allowed (HTTP 403).
public enum TokenRefusal: Sendable, Equatable, CustomStringConvertible {
    /// No token has that secret (or it is not shaped like one).
    case unknown
    /// The token was revoked.
    case revoked(name: String)
    /// The token's scope does not grant what is needed.
    case wrongScope(name: String, scope: TokenScope, needed: TokenScope)
    /// The token may run only other skills.
    case skillNotAllowed(name: String, skill: String)

    /// Whether the holder is authenticated at all: false for an unknown or revoked token.
    public var isAuthenticated: Bool {
        switch self {
        case .unknown, .revoked: false
        case .wrongScope, .skillNotAllowed: true
        }
    }

    /// A sentence for the holder, which names the token only once it is authenticated.
    public var description: String {
        switch self {
        case .unknown:
            "the bearer token is not known: make one with `skillctl tokens create NAME --scope SCOPE`"
        case .revoked:
            "the bearer token was revoked: make a new one with `skillctl tokens create NAME --scope SCOPE`"
        case let .wrongScope(name, scope, needed):
            "token \"\(name)\" has scope \(scope.rawValue), and this needs \(needed.rawValue) (or admin)"
        case let .skillNotAllowed(name, skill):
            "token \"\(name)\" may not run skill \(skill): make one with --skills \(skill), or without --skills"
        }
    }
}

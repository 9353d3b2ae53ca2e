import Registry
import SkillhostModel

/// Why a presented token is not admitted to what it asked for.
enum TokenAdmissionFailure: Error {
    /// No token was presented.
    case missing
    /// The registry refused the token.
    case refused(TokenRefusal)
    /// The registry could not be asked.
    case unavailable(String)

    /// Whether the holder is unauthenticated (401): no token, or one the registry does not
    /// know or revoked; else it is known but not allowed (403), or the check failed.
    var isUnauthenticated: Bool {
        switch self {
        case .missing: true
        case let .refused(refusal): !refusal.isAuthenticated
        case .unavailable: false
        }
    }
}

extension DaemonHTTPServices {
    /// The token `presented` when the registry accepts it for `scope`, or why not.
    func admit(_ presented: String?, needing scope: TokenScope) -> Result<TokenRecord, TokenAdmissionFailure> {
        guard let presented else { return .failure(.missing) }
        do {
            switch try registry.verifyToken(presented, scope: scope) {
            case let .accepted(record): return .success(record)
            case let .refused(refusal): return .failure(.refused(refusal))
            }
        } catch {
            return .failure(.unavailable("the daemon cannot check tokens now: its registry cannot be read"))
        }
    }
}

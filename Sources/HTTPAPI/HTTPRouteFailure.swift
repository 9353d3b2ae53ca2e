import HTTPServer
import SkillhostModel
import SkillhostProtocol

/// A way a route can fail: the error kind its JSON body names (`{"error": {"kind", ...}}`),
/// and the status it answers with, the kind's own (``SkillhostModel/ErrorKind/httpStatus``)
/// unless the route says otherwise.
package struct HTTPRouteFailure: Sendable, Hashable {
    /// The kind of the error.
    package let kind: ErrorKind
    /// The status of the answer.
    package let status: Int

    /// A failure of `kind`, answered with `status`, else the kind's own.
    package init(_ kind: ErrorKind, status: HTTPStatus? = nil) {
        self.kind = kind
        self.status = status?.code ?? kind.httpStatus
    }

    /// The failures of a route that answers with the protocol call `Request`: the error kinds
    /// its method declares, and `invalid_params` and `internal`, which any method may answer.
    package static func of<Request: SkillhostRequest>(_ request: Request.Type) -> [HTTPRouteFailure] {
        (Request.errorKinds + [.invalidParams, .internal]).map { HTTPRouteFailure($0) }
    }
}

extension HTTPRouteAccess {
    /// The failures of the token check (``DaemonHTTPRouter``): 401 without a token or with
    /// one the daemon does not know, 403 with one whose scope does not grant the route's, 500
    /// when the registry cannot be read; none for an open route. A route that takes the
    /// status page's cookie answers a refused token with the login form (its own responses),
    /// and fails only when the registry cannot be read.
    package var failures: [HTTPRouteFailure] {
        switch self {
        case .open: []
        case .token: [HTTPRouteFailure(.permissionDenied, status: .unauthorized), HTTPRouteFailure(.permissionDenied),
                      HTTPRouteFailure(.internal)]
        case .tokenOrSessionCookie: [HTTPRouteFailure(.internal)]
        }
    }
}

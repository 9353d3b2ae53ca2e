import HTTPServer
import JSON
import JSONRPC
import Registry
import SkillhostProtocol

/// A request the router matched to a route and admitted: the request, its path's
/// parameters, the token that was checked, and the calls a route makes.
struct HTTPRouteRequest: Sendable {
    /// The request as read.
    let request: HTTPRequest
    /// The values of the route's path parameters, by name.
    let parameters: [String: String]
    /// The token the route's access asked for; nil on an open route.
    let token: TokenRecord?
    /// What the route answers from.
    let services: DaemonHTTPServices

    /// Who a protocol call is made as: the token. Only a route of token access makes calls.
    var caller: JSONRPCCaller {
        guard let token else { preconditionFailure("a protocol call from \(request.path), a route without a token") }
        return .authenticated(name: token.name, id: token.id)
    }

    /// Calls `request`'s method in the token's name and returns its result as the socket
    /// would send it; the notifications it sends the caller (a streamed run's) go to
    /// `notifications`, or nowhere.
    /// - Throws: the method's error, as a socket client would receive it.
    func call<Request: SkillhostRequest>(_ request: Request,
                                         notifications: (@Sendable (JSONRPCRequest) -> Void)? = nil)
        async throws(JSONRPCError) -> JSONValue
    {
        let connection = InMemoryJSONRPCConnection(
            handler: services.protocolHandler, caller: caller, limits: services.protocolLimits(),
            forwardingNotificationsTo: notifications ?? { _ in })
        defer { connection.close() }
        return try await connection.call(Request.method, params: try request.params)
    }

    /// `error` as this request's token may see it: a `not_found` of a skill, whose message
    /// lists the installed skills, names none to a token narrowed to some (`--skills`).
    func narrowed(_ error: JSONRPCError, skill: String) -> JSONRPCError {
        guard error.errorKind == .notFound, let token, token.scope != .admin, token.skills != nil else { return error }
        return JSONRPCError(.notFound, message: "no skill \(skill) that token \"\(token.name)\" may run is installed")
    }

    /// Whether the token may run `skill` (`NAME` or `NAME@VERSION`): an admin's, or a run
    /// token without `--skills` or with the skill's name among them.
    func tokenAllows(skill: String) -> Bool {
        guard let token, token.scope != .admin else { return true }
        return token.allows(skill: Self.skillName(skill))
    }

    /// The name part of `NAME@VERSION`.
    static func skillName(_ reference: String) -> String {
        String(reference.prefix { $0 != "@" })
    }
}

import Foundation
import JSON
import JSONRPC
import Logging
import Registry
import SkillDaemon
import SkillhostModel
import SkillhostProtocol

/// The `tokens.*` methods of docs/PROTOCOL.md. Only the daemon's own user, or root, may
/// call them: a token opens the daemon to whoever holds it over HTTP, so making one is
/// the daemon owner's decision. The log names tokens, never their secrets.
struct TokenMethods: Sendable {
    let registry: Registry
    let logger: Logger
    /// The user the daemon runs as.
    let daemonUID: UInt32 = geteuid()

    /// Registers the handlers of these methods.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(CreateTokenRequest.self) { request, call in
            let peer = try authorize(call)
            return try create(request, peer: peer)
        }
        handlers.register(ListTokensRequest.self) { request, call in
            _ = try authorize(call)
            return TokenList(tokens: try registry.tokens(includingRevoked: request.includeRevoked ?? false)
                .map(TokenEncoding.json))
        }
        handlers.register(RevokeTokenRequest.self) { request, call in
            let peer = try authorize(call)
            return try revoke(request, peer: peer)
        }
    }

    /// The caller's credentials; refuses a caller that is neither the daemon's user nor root,
    /// and any caller over HTTP: a token never manages tokens.
    private func authorize(_ call: JSONRPCCall) throws(ServiceError) -> PeerCredentials {
        let peer = try call.localUser(because: "is only for the daemon's own user or root")
        guard peer.uid == daemonUID || peer.uid == 0 else {
            throw ServiceError(.permissionDenied, "\(call.method): only the daemon's user (uid \(daemonUID)) or root may "
                + "manage tokens, and this client runs as uid \(peer.uid)")
        }
        return peer
    }

    private func create(_ request: CreateTokenRequest, peer: PeerCredentials) throws(ServiceError) -> CreatedTokenAnswer {
        guard let scope = TokenScope(rawValue: request.scope) else {
            let choices = TokenScope.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidParams("scope: \"\(request.scope)\" is not a scope: expected one of \(choices)")
        }
        let created: CreatedToken
        do {
            created = try registry.createToken(NewToken(
                name: request.name, scope: scope, skills: request.skills, createdBy: peer.uid, createdAt: Date()))
        } catch {
            throw Self.serviceError(error)
        }
        let record = created.record
        logger.info("token created", [
            "token": .string(record.name), "token_id": .int(record.id), "scope": .string(scope.rawValue),
            "caller_uid": .int(Int64(peer.uid)),
        ])
        return CreatedTokenAnswer(token: created.secret, record: TokenEncoding.json(record))
    }

    private func revoke(_ request: RevokeTokenRequest, peer: PeerCredentials) throws(ServiceError) -> JSONValue {
        let reference: TokenReference
        switch (request.name, request.tokenID) {
        case let (name?, nil): reference = .name(name)
        case let (nil, id?): reference = .id(id)
        default: throw .invalidParams("give name or token_id, exactly one")
        }
        let revoked: TokenRecord
        do {
            revoked = try registry.revokeToken(reference)
        } catch {
            throw Self.serviceError(error)
        }
        logger.info("token revoked", [
            "token": .string(revoked.name), "token_id": .int(revoked.id), "caller_uid": .int(Int64(peer.uid)),
        ])
        return TokenEncoding.json(revoked)
    }

    private static func serviceError(_ error: RegistryError) -> ServiceError {
        switch error {
        case .tokenNotFound: ServiceError(.notFound, error.description)
        case .tokenNameTaken: ServiceError(.conflict, error.description)
        case .invalidTokenName: .invalidParams("name: \(error)")
        case .invalidTokenSkills: .invalidParams("skills: \(error)")
        default: .internal(error.description)
        }
    }
}

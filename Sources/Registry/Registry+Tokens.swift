import Foundation
import SkillhostModel

/// Bearer tokens for HTTP clients: made, listed, revoked, and verified on every request.
/// The registry keeps only the SHA-256 of a token's secret. Each method is one transaction.
extension Registry {
    /// How stale a token's `last_used_at` may get before a verification writes it: a
    /// token in steady use costs one write a minute, not one per request.
    public static let tokenLastUseResolution: TimeInterval = 60

    /// Makes a token and returns its secret (shown once, kept nowhere) with its record.
    ///
    /// - Throws: ``RegistryError/invalidTokenName(_:)``, ``RegistryError/invalidTokenSkills(_:)``,
    ///   or ``RegistryError/tokenNameTaken(_:)`` when a token not revoked has the name.
    public func createToken(_ token: NewToken) throws(RegistryError) -> CreatedToken {
        guard Self.isValidTokenName(token.name) else { throw .invalidTokenName(token.name) }
        if let skills = token.skills {
            guard !skills.isEmpty, skills.allSatisfy({ !$0.isEmpty && !$0.contains("\n") && !$0.contains(",") }) else {
                throw .invalidTokenSkills(skills)
            }
        }
        let secret = try BearerToken.generate()
        let record = try database.write { (connection) throws(RegistryError) -> TokenRecord in
            guard try TokenTable.find(unrevokedNamed: token.name, in: connection) == nil else {
                throw .tokenNameTaken(token.name)
            }
            let id = try TokenTable.insert(token, sha256: BearerToken.digest(of: secret), in: connection)
            guard let record = try TokenTable.find(id: id, in: connection) else { throw .tokenNotFound(.id(id)) }
            return record
        }
        return CreatedToken(secret: secret, record: record)
    }

    /// Every token, oldest first; the revoked ones too when `includingRevoked`.
    public func tokens(includingRevoked: Bool = false) throws(RegistryError) -> [TokenRecord] {
        try database.read { (connection) throws(RegistryError) -> [TokenRecord] in
            try TokenTable.all(includingRevoked: includingRevoked, in: connection)
        }
    }

    /// Revokes the token `reference` names at `date`: it is refused from then on. A token
    /// revoked already is left as it was.
    ///
    /// - Returns: The token as now stored.
    /// - Throws: ``RegistryError/tokenNotFound(_:)``.
    public func revokeToken(_ reference: TokenReference, at date: Date = Date()) throws(RegistryError) -> TokenRecord {
        try database.write { (connection) throws(RegistryError) -> TokenRecord in
            let found = switch reference {
            case let .id(id): try TokenTable.find(id: id, in: connection)
            case let .name(name): try TokenTable.find(unrevokedNamed: name, in: connection)
            }
            guard let token = found else { throw .tokenNotFound(reference) }
            try TokenTable.revoke(id: token.id, at: date, in: connection)
            guard let revoked = try TokenTable.find(id: token.id, in: connection) else { throw .tokenNotFound(reference) }
            return revoked
        }
    }

    /// Whether `presented`, a bearer token as a client sent it, may do what needs `scope`
    /// (and run `skill`, when given).
    ///
    /// The token is found by the SHA-256 of its secret, which is then compared with the
    /// stored one in constant time; a text not shaped like a token is refused without a
    /// lookup. A revoked token is refused at once. An accepted token's `last_used_at` is
    /// written only when it is older than ``tokenLastUseResolution``: every other
    /// verification is one read.
    ///
    /// - Throws: ``RegistryError/database(_:)`` when the registry cannot be read; the
    ///   caller refuses the request then.
    public func verifyToken(_ presented: String, scope: TokenScope, skill: String? = nil, at date: Date = Date())
        throws(RegistryError) -> TokenCheck
    {
        guard BearerToken.isWellFormed(presented) else { return .refused(.unknown) }
        let digest = BearerToken.digest(of: presented)
        let found = try database.read { (connection) throws(RegistryError) -> (TokenRecord, String)? in
            try TokenTable.find(sha256: digest, in: connection)
        }
        guard let (token, storedDigest) = found, BearerToken.digestsEqual(storedDigest, digest) else {
            return .refused(.unknown)
        }
        if token.revokedAt != nil { return .refused(.revoked(name: token.name)) }
        guard token.scope.grants(scope) else {
            return .refused(.wrongScope(name: token.name, scope: token.scope, needed: scope))
        }
        if let skill, !token.allows(skill: skill) {
            return .refused(.skillNotAllowed(name: token.name, skill: skill))
        }
        let staleBefore = date.addingTimeInterval(-Self.tokenLastUseResolution)
        guard let lastUsed = token.lastUsedAt, lastUsed >= staleBefore else {
            try database.write { (connection) throws(RegistryError) in
                try TokenTable.touch(id: token.id, at: date, ifUsedBefore: staleBefore, in: connection)
            }
            var touched = token
            touched.lastUsedAt = date
            return .accepted(touched)
        }
        return .accepted(token)
    }

    /// Whether `name` may name a token: a letter, then letters, digits, `.`, `_` or `-`, at
    /// most 64 in all; so an id (digits) is never a name.
    public static func isValidTokenName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        guard let first = utf8.first, utf8.count <= 64, isASCIILetter(first) else { return false }
        return utf8.allSatisfy { isASCIILetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}

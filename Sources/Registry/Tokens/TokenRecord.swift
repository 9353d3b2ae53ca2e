import Foundation
import SkillhostModel

/// A bearer token as the registry keeps it: everything but its secret, which it never
/// holds, and the secret's hash, which it never gives out.
public struct TokenRecord: Sendable, Equatable {
    /// The token's id, increasing and never reused.
    public var id: Int64
    /// Its name, unique among the tokens not revoked: what a run started with it records as
    /// its caller.
    public var name: String
    /// What it lets its holder do.
    public var scope: TokenScope
    /// The only skills it may run, by name; `nil`: every skill.
    public var skills: [String]?
    /// When it was made.
    public var createdAt: Date
    /// The Unix user id of the client that made it, when known.
    public var createdBy: UInt32?
    /// When it was last accepted, to the minute (see ``Registry/verifyToken(_:scope:skill:at:)``).
    public var lastUsedAt: Date?
    /// When it was revoked; `nil` while it is valid.
    public var revokedAt: Date?

    /// Describes a token.
    public init(id: Int64, name: String, scope: TokenScope, skills: [String]?, createdAt: Date, createdBy: UInt32?,
                lastUsedAt: Date?, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.scope = scope
        self.skills = skills
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether it may run the skill named `skill`.
    public func allows(skill: String) -> Bool {
        skills.map { $0.contains(skill) } ?? true
    }
}

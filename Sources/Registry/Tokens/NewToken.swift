import Foundation
import SkillhostModel

/// A token about to be made; the registry draws its secret.
public struct NewToken: Sendable {
    /// Its name: a letter, then letters, digits, `.`, `_` or `-`, at most 64 in all.
    public var name: String
    /// What it lets its holder do.
    public var scope: TokenScope
    /// The only skills it may run, by name; `nil`: every skill. Not empty.
    public var skills: [String]?
    /// The Unix user id of the client that makes it, when known.
    public var createdBy: UInt32?
    /// When it is made.
    public var createdAt: Date

    /// Describes a token to make.
    public init(name: String, scope: TokenScope, skills: [String]? = nil, createdBy: UInt32? = nil, createdAt: Date) {
        self.name = name
        self.scope = scope
        self.skills = skills
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

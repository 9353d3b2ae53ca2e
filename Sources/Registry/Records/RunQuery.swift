import SkillhostModel

/// Which runs to list: filters, and one page of the newest first.
public struct RunQuery: Sendable {
    /// Only runs of this skill.
    public var skillName: String?
    /// Only runs of this version of it (with ``skillName``).
    public var skillVersion: String?
    /// Only runs in this state.
    public var status: RunStatus?
    /// At most this many runs (a negative limit reads as 0).
    public var limit: Int
    /// Only runs with an id below this one: pass the last id of a page to get the next.
    public var before: Int64?

    /// Describes a page of runs.
    public init(skillName: String? = nil, skillVersion: String? = nil, status: RunStatus? = nil, limit: Int = 50,
                before: Int64? = nil) {
        self.skillName = skillName
        self.skillVersion = skillVersion
        self.status = status
        self.limit = limit
        self.before = before
    }
}

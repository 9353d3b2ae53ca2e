import JSON
import JSONRPC
import SkillhostModel

/// `skills.install`: checks and stores a skill library.
public struct InstallSkillRequest: SkillhostRequest {
    public static let method = "skills.install"
    public static let summary = "checks the skill library at an absolute path in a throwaway worker and stores it by content hash"
    public static let errorKinds: [ErrorKind] = [.invalidSkill, .conflict, .permissionDenied]
    public typealias Result = InstalledSkill

    /// The library's absolute path.
    public var path: String
    /// The SHA-256 the file must have, if given.
    public var sha256: String?
    /// Whether to replace an installed skill of the same name and version.
    public var force: Bool?
    /// `process` or `inprocess`; `nil`: the daemon's default isolation.
    public var isolation: String?
    /// The skill's worker memory limit; `nil`: left as it is (the default for a new skill).
    public var memoryLimitBytes: MemoryLimitParameter?
    /// The skill's grants to set; those absent are left as they are (none for a new skill).
    public var grants: GrantParameters

    /// A request as given.
    public init(path: String, sha256: String? = nil, force: Bool? = nil, isolation: String? = nil,
                memoryLimitBytes: MemoryLimitParameter? = nil, grants: GrantParameters = GrantParameters()) {
        self.path = path
        self.sha256 = sha256
        self.force = force
        self.isolation = isolation
        self.memoryLimitBytes = memoryLimitBytes
        self.grants = grants
    }

    /// Reads the params; `memory_limit_bytes: null` is the daemon's default, not absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ParamKey.self)
        path = try container.decode(String.self, forKey: ParamKey("path"))
        sha256 = try container.decodeIfPresent(String.self, forKey: ParamKey("sha256"))
        force = try container.decodeIfPresent(Bool.self, forKey: ParamKey("force"))
        isolation = try container.decodeIfPresent(String.self, forKey: ParamKey("isolation"))
        let limitKey = ParamKey("memory_limit_bytes")
        memoryLimitBytes = container.contains(limitKey)
            ? try MemoryLimitParameter(from: container.superDecoder(forKey: limitKey)) : nil
        grants = try GrantParameters(from: container)
    }

    /// Writes the params as ``init(from:)`` reads them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ParamKey.self)
        try container.encode(path, forKey: ParamKey("path"))
        try container.encodeIfPresent(sha256, forKey: ParamKey("sha256"))
        try container.encodeIfPresent(force, forKey: ParamKey("force"))
        try container.encodeIfPresent(isolation, forKey: ParamKey("isolation"))
        try container.encodeIfPresent(memoryLimitBytes, forKey: ParamKey("memory_limit_bytes"))
        try grants.encode(to: &container)
    }
}

/// What `skills.install` answers.
public struct InstalledSkill: Codable, Sendable {
    /// `installed`, `unchanged` or `replaced`.
    public var outcome: String
    /// The skill record, as stored now.
    public var skill: JSONValue

    /// An answer as given.
    public init(outcome: String, skill: JSONValue) {
        self.outcome = outcome
        self.skill = skill
    }
}

/// A worker memory limit as a param: a number of bytes (0: none), or `null` for the
/// daemon's default (`memory_limit_bytes`).
public typealias MemoryLimitParameter = DaemonDefaultable<Int64>

extension DaemonDefaultable where Value == Int64 {
    /// A limit of `bytes` bytes; 0 means no limit.
    public static func bytes(_ bytes: Int64) -> Self { .value(bytes) }
}

/// `skills.list`: every installed skill.
public struct ListSkillsRequest: SkillhostRequest {
    public static let method = "skills.list"
    public static let summary = "the installed skills, by name then version"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = SkillList

    /// The request; it takes no params.
    public init() {}
}

/// Skill records: what `skills.list`, `skills.set_isolation`, `skills.set_limits` and `skills.grant` answer.
public struct SkillList: Codable, Sendable {
    /// The skill records.
    public var skills: [JSONValue]

    /// A list as given.
    public init(skills: [JSONValue]) {
        self.skills = skills
    }
}

/// `skills.watch`: subscribes the connection to `skills.changed`.
public struct WatchSkillsRequest: SkillhostRequest {
    public static let method = "skills.watch"
    public static let summary = "the installed skills now; then skills.changed on this connection whenever one is installed, replaced or removed"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = SkillList

    /// The request; it takes no params.
    public init() {}
}

/// `skills.get`: one skill.
public struct GetSkillRequest: SkillhostRequest {
    public static let method = "skills.get"
    public static let summary = "one skill: NAME (its highest version) or NAME@VERSION"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// A skill record.
    public typealias Result = JSONValue

    /// `NAME` or `NAME@VERSION`.
    public var name: String

    /// A request as given.
    public init(name: String) {
        self.name = name
    }
}

/// `skills.remove`: removes every version of a skill, or one.
public struct RemoveSkillRequest: SkillhostRequest {
    public static let method = "skills.remove"
    public static let summary = "removes every version of a skill, or only one; runs keep their history"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = RemovedSkills

    /// The skill's name.
    public var name: String
    /// The one version to remove; `nil`: every version.
    public var version: String?

    /// A request as given.
    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// What `skills.remove` answers.
public struct RemovedSkills: Codable, Sendable {
    /// The records of the skills removed.
    public var removed: [JSONValue]

    /// An answer as given.
    public init(removed: [JSONValue]) {
        self.removed = removed
    }
}

/// `skills.set_isolation`: where a skill runs from its next run on.
public struct SetIsolationRequest: SkillhostRequest {
    public static let method = "skills.set_isolation"
    public static let summary = "sets where a skill (every version, or one) runs from its next run on"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = SkillList

    /// The skill's name.
    public var name: String
    /// The one version to change; `nil`: every version.
    public var version: String?
    /// `process` or `inprocess`.
    public var isolation: String

    /// A request as given.
    public init(name: String, version: String? = nil, isolation: String) {
        self.name = name
        self.version = version
        self.isolation = isolation
    }
}

/// `skills.set_limits`: the memory limit of a skill's workers.
public struct SetLimitsRequest: SkillhostRequest {
    public static let method = "skills.set_limits"
    public static let summary = "sets the memory limit of a skill's workers (every version, or one) from their next start on"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = SkillList

    /// The skill's name.
    public var name: String
    /// The one version to change; `nil`: every version.
    public var version: String?
    /// The limit; it must be given, as `null` for the daemon's default.
    public var memoryLimitBytes: MemoryLimitParameter

    /// A request as given.
    public init(name: String, version: String? = nil, memoryLimitBytes: MemoryLimitParameter) {
        self.name = name
        self.version = version
        self.memoryLimitBytes = memoryLimitBytes
    }

    private enum CodingKeys: String, CodingKey {
        case name, version
        case memoryLimitBytes = "memory_limit_bytes"
    }

    /// Reads the params; `memory_limit_bytes` must be present, and may be `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        guard container.contains(.memoryLimitBytes) else {
            throw JSONValueDecodingError.missing(
                path: CodingKeys.memoryLimitBytes.rawValue,
                expected: "a number of bytes, 0 for none, or null for the daemon's default")
        }
        memoryLimitBytes = try MemoryLimitParameter(from: container.superDecoder(forKey: .memoryLimitBytes))
    }
}

/// `skills.exists`: whether a library with this hash is installed.
public struct SkillExistsRequest: SkillhostRequest {
    public static let method = "skills.exists"
    public static let summary = "whether a skill library with a SHA-256 is installed, and as which skills"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = SkillExistence

    /// 64 hexadecimal digits.
    public var sha256: String

    /// A request as given.
    public init(sha256: String) {
        self.sha256 = sha256
    }
}

/// What `skills.exists` answers.
public struct SkillExistence: Codable, Sendable {
    /// Whether any skill has the hash.
    public var exists: Bool
    /// The skills installed from it.
    public var skills: [Identity]

    /// An answer as given.
    public init(exists: Bool, skills: [Identity]) {
        self.exists = exists
        self.skills = skills
    }

    /// A skill's name and version.
    public struct Identity: Codable, Sendable {
        /// The skill's name.
        public var name: String
        /// Its version.
        public var version: String

        /// An identity as given.
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }
}

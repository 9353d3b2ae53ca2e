import Foundation
import SkillhostModel

/// An installed skill: one name and version, the stored file it runs from, and what its
/// descriptor declares.
public struct SkillRecord: Sendable, Equatable {
    /// The skill's name, `[a-z0-9][a-z0-9-]{0,63}`.
    public var name: String
    /// The skill's semantic version, such as `1.2.0`.
    public var version: String
    /// The SHA-256 of the skill's `.so` file in the content store.
    public var sha256: String
    /// The size of the skill's file in bytes.
    public var size: Int64
    /// What the skill does, from its descriptor.
    public var description: String
    /// The JSON Schema of the skill's input, when it declares one.
    public var inputSchema: String?
    /// The JSON Schema of the skill's output, when it declares one.
    public var outputSchema: String?
    /// The descriptor's flags bit set.
    public var flags: UInt32
    /// The ABI major version the skill was built against.
    public var abiMajor: Int
    /// The ABI minor version the skill was built against.
    public var abiMinor: Int
    /// Where the skill's code runs.
    public var isolation: IsolationMode
    /// The address-space limit of the skill's worker processes in bytes (0: none); nil: the
    /// daemon's default (`memory_limit_bytes`).
    public var memoryLimitBytes: Int64?
    /// What the skill's worker may do beyond its CSI context: network, paths, limits.
    public var grants: SkillGrants
    /// Whether new runs of the skill start (``SkillState/enabled``) or are refused.
    public var state: SkillState
    /// When the skill was installed (or last replaced).
    public var installedAt: Date

    /// Describes an installed skill.
    public init(
        name: String, version: String, sha256: String, size: Int64, description: String,
        inputSchema: String? = nil, outputSchema: String? = nil, flags: UInt32 = 0,
        abiMajor: Int, abiMinor: Int, isolation: IsolationMode = .process, memoryLimitBytes: Int64? = nil,
        grants: SkillGrants = .none, state: SkillState = .enabled, installedAt: Date
    ) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.size = size
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.flags = flags
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
        self.isolation = isolation
        self.memoryLimitBytes = memoryLimitBytes
        self.grants = grants
        self.state = state
        self.installedAt = installedAt
    }
}

import SkillABI

/// What a skill's descriptor says about it, copied out of the shared object so it outlives
/// the `dlopen` handle and can be stored in the registry.
public struct SkillManifest: Sendable, Equatable {
    /// The skill's name: 1 to 64 of `[a-z0-9-]`, starting with a letter or digit.
    public var name: String
    /// The skill's semantic version.
    public var version: String
    /// One line of description; empty when the skill gives none.
    public var description: String
    /// JSON Schema of the input, when given.
    public var inputSchema: String?
    /// JSON Schema of the output, when given.
    public var outputSchema: String?
    /// `SKILL_FLAG_*` bits.
    public var flags: UInt32
    /// The ABI version the skill is built for.
    public var abiMajor: Int
    /// The ABI minor version the skill is built for.
    public var abiMinor: Int

    /// A manifest with these fields, as a worker reports it after inspecting a file.
    package init(name: String, version: String, description: String, inputSchema: String?, outputSchema: String?,
                 flags: UInt32, abiMajor: Int, abiMinor: Int)
    {
        self.name = name
        self.version = version
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.flags = flags
        self.abiMajor = abiMajor
        self.abiMinor = abiMinor
    }

    /// Whether `run` must not be called concurrently on one loaded instance.
    public var isSerial: Bool { flags & UInt32(SKILL_FLAG_SERIAL) != 0 }
}

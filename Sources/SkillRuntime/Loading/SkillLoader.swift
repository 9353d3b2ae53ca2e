import Glibc
import JSON
import SkillABI
import SkillhostModel

/// Opens skill shared objects and checks them against the ABI, in the order that lets the
/// least skill code run before a file is refused: the ELF header is read first, `dlopen`
/// follows, then `skill_entry` is called and the ABI version in its descriptor is checked
/// before any other field is read or any other function is called.
///
/// Objects are opened with `RTLD_NODELETE`: they stay mapped after `dlclose`. A skill
/// written in Swift registers its type metadata and protocol conformances with the Swift
/// runtime of the process, which keeps pointers into the object; unmapping it makes the next
/// dynamic cast anywhere in the process crash. `dlopen` also runs the object's ELF
/// constructors: inspecting a skill in process trusts it as much as running it in process.
public enum SkillLoader {
    /// The ABI version of this host.
    public static let abiMajor = Int(SKILL_ABI_VERSION_MAJOR)
    /// The newest ABI minor version this host offers.
    public static let abiMinor = Int(SKILL_ABI_VERSION_MINOR)

    /// Loads the skill at `path`, checks it, and runs its `init`.
    public static func load(path: String) throws(SkillLoadError) -> LoadedSkill {
        let (handle, descriptor, manifest) = try open(path: path)
        var state: UnsafeMutableRawPointer?
        if let initialize = descriptor.`init` {
            let status = initialize(&state)
            guard status == SKILL_OK else {
                dlclose(handle)
                throw .initFailed(path: path, status: status)
            }
        }
        return LoadedSkill(path: path, handle: handle, descriptor: descriptor, manifest: manifest, state: state)
    }

    /// Checks the skill at `path` and returns its manifest, without running its `init`.
    public static func inspect(path: String) throws(SkillLoadError) -> SkillManifest {
        let (handle, _, manifest) = try open(path: path)
        dlclose(handle)
        return manifest
    }

    private static func open(path: String) throws(SkillLoadError)
        -> (UnsafeMutableRawPointer, skill_descriptor, SkillManifest)
    {
        try ELFIdentity.read(path: path).validate(path: path)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw .dynamicLoaderFailed(path: path, message: lastLoaderError() ?? "dlopen failed")
        }
        do {
            let descriptor = try entryDescriptor(handle: handle, path: path)
            return (handle, descriptor, try SkillManifest(descriptor: descriptor, path: path))
        } catch {
            dlclose(handle)
            throw error
        }
    }

    private static func entryDescriptor(handle: UnsafeMutableRawPointer, path: String) throws(SkillLoadError)
        -> skill_descriptor
    {
        _ = dlerror()
        guard let symbol = dlsym(handle, SKILL_ENTRY_SYMBOL) else { throw .missingEntry(path: path) }
        let entry = unsafeBitCast(symbol, to: skill_entry_fn.self)
        guard let descriptor = entry() else { throw .invalidEntry(path: path, reason: "returned NULL") }
        // The magic and the version lead the descriptor in every ABI version: reading them
        // is safe whatever the skill was built for.
        let header = UnsafeRawPointer(descriptor)
        let magic = header.loadUnaligned(as: UInt32.self)
        guard magic == SKILL_DESCRIPTOR_MAGIC else {
            throw .invalidEntry(
                path: path,
                reason: "returned a descriptor without the magic 0x\(String(SKILL_DESCRIPTOR_MAGIC, radix: 16)) "
                    + "(found 0x\(String(magic, radix: 16)))")
        }
        let major = Int(header.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        let minor = Int(header.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        guard major == abiMajor, minor <= abiMinor else {
            throw .unsupportedABI(path: path, skillMajor: major, skillMinor: minor, hostMajor: abiMajor, hostMinor: abiMinor)
        }
        // The size comes next; no more than that is read of the rest.
        let size = header.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        guard size >= SKILL_DESCRIPTOR_SIZE_1_0 else {
            throw .invalidDescriptor(
                path: path, field: "struct_size",
                reason: "\(size) is smaller than the \(SKILL_DESCRIPTOR_SIZE_1_0) bytes of an ABI 1.0 descriptor")
        }
        return SkillStruct.copy(header, stampedSize: Int(size), over: skill_descriptor())
    }

    private static func lastLoaderError() -> String? {
        dlerror().map { String(cString: $0) }
    }
}

extension SkillManifest {
    /// The longest name the ABI allows.
    static let maximumNameLength = 64

    /// Reads and validates a descriptor of an ABI this host accepts, copied up to its size.
    package init(descriptor fields: skill_descriptor, path: String) throws(SkillLoadError) {
        guard fields.run != nil else {
            throw .invalidDescriptor(path: path, field: "run", reason: "it is NULL; every skill has a run function")
        }
        func text(_ pointer: UnsafePointer<CChar>?, _ field: String) throws(SkillLoadError) -> String? {
            guard let pointer else { return nil }
            guard let value = String(validatingCString: pointer) else {
                throw .invalidDescriptor(path: path, field: field, reason: "it is not valid UTF-8")
            }
            return value
        }
        guard let name = try text(fields.name, "name") else {
            throw .invalidDescriptor(path: path, field: "name", reason: "it is NULL")
        }
        guard Self.isValidName(name) else {
            throw .invalidDescriptor(
                path: path, field: "name",
                reason: "\"\(name)\" must be 1 to \(Self.maximumNameLength) of [a-z0-9-], starting with a letter or digit")
        }
        guard let version = try text(fields.version, "version") else {
            throw .invalidDescriptor(path: path, field: "version", reason: "it is NULL")
        }
        guard SemanticVersion(version) != nil else {
            throw .invalidDescriptor(
                path: path, field: "version",
                reason: "\"\(version)\" is not a semantic version such as 1.0.0 (MAJOR.MINOR.PATCH)")
        }
        let knownFlags = UInt32(SKILL_FLAG_SERIAL)
        guard fields.flags & ~knownFlags == 0 else {
            throw .invalidDescriptor(
                path: path, field: "flags",
                reason: "unknown bits 0x\(String(fields.flags & ~knownFlags, radix: 16)) for ABI \(fields.abi_major).\(fields.abi_minor)")
        }
        self.init(
            name: name, version: version,
            description: try text(fields.description, "description") ?? "",
            inputSchema: try Self.schema(text(fields.input_schema, "input_schema"), field: "input_schema", path: path),
            outputSchema: try Self.schema(text(fields.output_schema, "output_schema"), field: "output_schema", path: path),
            flags: fields.flags, abiMajor: Int(fields.abi_major), abiMinor: Int(fields.abi_minor))
    }

    /// Whether `name` is 1 to 64 of `[a-z0-9-]`, starting with a letter or digit.
    package static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumNameLength, first != UInt8(ascii: "-") else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    private static func schema(_ text: String?, field: String, path: String) throws(SkillLoadError) -> String? {
        guard let text else { return nil }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            throw .invalidDescriptor(path: path, field: field, reason: "it is not valid JSON (\(error))")
        }
        return text
    }
}

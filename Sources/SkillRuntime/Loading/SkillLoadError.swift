/// Why a file cannot be loaded as a skill. Every message names the file and says what to do.
public enum SkillLoadError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// The file does not start with the ELF magic.
    case notELF(path: String, leadingBytes: [UInt8])
    /// The file is ELF, but not a shared object.
    case notSharedObject(path: String, kind: String)
    /// The file is built for another machine.
    case wrongArchitecture(path: String, fileArchitecture: String, hostArchitecture: String)
    /// `dlopen` refused the file (a missing library, an undefined symbol, ...).
    case dynamicLoaderFailed(path: String, message: String)
    /// The file exports no `skill_entry`.
    case missingEntry(path: String)
    /// `skill_entry` returned NULL or a descriptor without the magic.
    case invalidEntry(path: String, reason: String)
    /// The skill is built for an ABI this host does not accept.
    case unsupportedABI(path: String, skillMajor: Int, skillMinor: Int, hostMajor: Int, hostMinor: Int)
    /// A descriptor field is invalid.
    case invalidDescriptor(path: String, field: String, reason: String)
    /// The skill's `init` refused to load it.
    case initFailed(path: String, status: Int32)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .notELF(path, leadingBytes):
            let shown = leadingBytes.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(path) is not an ELF shared object (it starts with bytes [\(shown)]): "
                + "build the skill with `cc -shared -fPIC ...` or as a dynamic library product"
        case let .notSharedObject(path, kind):
            return "\(path) is \(kind), not a shared object: build the skill with `cc -shared -fPIC ...`"
        case let .wrongArchitecture(path, fileArchitecture, hostArchitecture):
            return "\(path) is built for \(fileArchitecture), but this host runs \(hostArchitecture): "
                + "rebuild the skill for \(hostArchitecture)"
        case let .dynamicLoaderFailed(path, message):
            return "\(path) cannot be loaded: \(message)"
        case let .missingEntry(path):
            return "\(path) exports no `skill_entry`: define the skill with SKILL_DEFINE(...) from skill_abi.h"
        case let .invalidEntry(path, reason):
            return "\(path): skill_entry \(reason): build the skill against skill_abi.h with SKILL_DEFINE(...)"
        case let .unsupportedABI(path, skillMajor, skillMinor, hostMajor, hostMinor):
            let advice = skillMajor == hostMajor
                ? "upgrade skillhost, or rebuild the skill against this host's skill_abi.h"
                : "rebuild the skill against this host's skill_abi.h"
            return "\(path) is built for skill ABI \(skillMajor).\(skillMinor), but this skillhostd "
                + "accepts ABI \(hostMajor).0 to \(hostMajor).\(hostMinor): \(advice)"
        case let .invalidDescriptor(path, field, reason):
            return "\(path): descriptor field `\(field)` is invalid: \(reason)"
        case let .initFailed(path, status):
            return "\(path): the skill's init returned status \(status) instead of SKILL_OK; its own logs may say why"
        }
    }
}

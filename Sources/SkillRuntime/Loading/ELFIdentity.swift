import Glibc
import SystemCalls

/// What the first bytes of a file say about it, read before `dlopen` so that a file that
/// cannot be a skill for this host is refused with a precise reason instead of a loader
/// message.
package struct ELFIdentity: Equatable {
    /// ELF `e_type` of a shared object.
    static let sharedObjectType: UInt16 = 3
    /// ELF `e_type` of an executable.
    static let executableType: UInt16 = 2

    /// `ELFCLASS64` (2) or `ELFCLASS32` (1).
    let elfClass: UInt8
    /// `ELFDATA2LSB` (1) or `ELFDATA2MSB` (2).
    let byteOrder: UInt8
    /// `e_type`.
    package let type: UInt16
    /// `e_machine`.
    package let machine: UInt16

    /// The `e_machine` of the code this process runs.
    static var hostMachine: UInt16 {
        #if arch(x86_64)
        return 62
        #elseif arch(arm64)
        return 183
        #else
        #error("skillhost knows the ELF machine numbers of x86_64 and arm64 only")
        #endif
    }

    /// A readable name for an ELF machine number.
    static func machineName(_ machine: UInt16) -> String {
        switch machine {
        case 3: "i386"
        case 8: "mips"
        case 20: "powerpc"
        case 21: "powerpc64"
        case 40: "arm"
        case 62: "x86_64"
        case 183: "aarch64"
        case 243: "riscv"
        default: "machine \(machine)"
        }
    }

    /// Parses the identification and the first header fields from `header`, the first 20
    /// or more bytes of a file; nil when they do not start with the ELF magic.
    package init?(header: [UInt8]) {
        guard header.count >= 20, header[0] == 0x7F, header[1] == 0x45, header[2] == 0x4C,
              header[3] == 0x46
        else { return nil }
        let bigEndian = header[5] == 2
        func halfWord(at offset: Int) -> UInt16 {
            bigEndian
                ? UInt16(header[offset]) << 8 | UInt16(header[offset + 1])
                : UInt16(header[offset + 1]) << 8 | UInt16(header[offset])
        }
        elfClass = header[4]
        byteOrder = header[5]
        type = halfWord(at: 16)
        machine = halfWord(at: 18)
    }

    /// Reads the identity of the file at `path`.
    package static func read(path: String) throws(SkillLoadError) -> ELFIdentity {
        let header: [UInt8]
        do throws(SystemCallError) {
            header = try FileDescriptor.contents(ofFile: path, upTo: 64)
        } catch {
            throw .unreadable(path: path, reason: error.errno.description)
        }
        guard let identity = ELFIdentity(header: header) else {
            throw .notELF(path: path, leadingBytes: Array(header.prefix(4)))
        }
        return identity
    }

    /// Checks that this identity is a shared object this host can load.
    package func validate(path: String) throws(SkillLoadError) {
        guard type != Self.executableType else { throw .notSharedObject(path: path, kind: "an executable") }
        guard type == Self.sharedObjectType else {
            throw .notSharedObject(path: path, kind: type == 1 ? "a relocatable object (.o)" : "an ELF file of type \(type)")
        }
        let hostIsLittleEndian = 1.littleEndian == 1
        guard elfClass == 2, byteOrder == (hostIsLittleEndian ? 1 : 2), machine == Self.hostMachine else {
            let bits = elfClass == 1 ? "32-bit " : ""
            throw .wrongArchitecture(
                path: path, fileArchitecture: bits + Self.machineName(machine),
                hostArchitecture: Self.machineName(Self.hostMachine))
        }
    }
}

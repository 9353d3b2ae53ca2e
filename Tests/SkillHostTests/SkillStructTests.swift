import Glibc
import SkillABI
@testable import SkillRuntime
import Testing

@Suite("Structs a skill hands the host are read up to the size it stamped in them")
struct SkillStructTests {
    /// A struct of `stampedSize` bytes at the very end of a readable page, followed by a page
    /// that cannot be read: reading one byte past it would crash the test.
    private static func withStructAtPageEnd<Result>(
        stampedSize: Int, _ body: (UnsafeRawPointer) -> Result
    ) throws -> Result {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let mapping = try #require(mmap(nil, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        #expect(mapping != MAP_FAILED)
        defer { munmap(mapping, 2 * pageSize) }
        #expect(mprotect(mapping + pageSize, pageSize, PROT_NONE) == 0)
        let start = mapping + pageSize - stampedSize
        memset(start, 0xAB, stampedSize)
        return body(UnsafeRawPointer(start))
    }

    @Test("fields past the skill's size keep zero, and nothing past it is read")
    func smallerStructOfAnOlderVersion() throws {
        let fullSize = MemoryLayout<skill_complete_params>.size
        let olderSize = Int(SKILL_COMPLETE_PARAMS_SIZE_1_0)
        try #require(olderSize < fullSize, "ABI 1.1 appended fields to skill_complete_params")
        let copy = try Self.withStructAtPageEnd(stampedSize: olderSize) { pointer in
            SkillStruct.copy(pointer, stampedSize: olderSize, over: skill_complete_params())
        }
        withUnsafeBytes(of: copy) { bytes in
            #expect(bytes[..<olderSize].allSatisfy { $0 == 0xAB })
            #expect(bytes[olderSize...].allSatisfy { $0 == 0 })
        }
    }

    @Test("a skill's struct larger than the host's is read only as far as the host's")
    func largerStructOfANewerVersion() throws {
        let hostSize = MemoryLayout<skill_descriptor>.size
        let copy = try Self.withStructAtPageEnd(stampedSize: hostSize) { pointer in
            SkillStruct.copy(pointer, stampedSize: hostSize + 64, over: skill_descriptor())
        }
        withUnsafeBytes(of: copy) { bytes in
            #expect(bytes.allSatisfy { $0 == 0xAB })
        }
    }
}

import Foundation
import Glibc
import SystemCalls
import Testing

@Suite("Descriptor identities: noticing a descriptor closed or replaced behind the owner's back")
struct DescriptorIdentityTests {
    @Test("an open descriptor is intact; closed, it is lost; its number reused for another file, it is lost too")
    func closedAndReplaced() throws {
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { close(ends[1]) }
        let identity = try DescriptorIdentity(of: ends[0], role: "the test's pipe")
        #expect(identity.loss == nil)
        // dup2 replaces the pipe's end under its number at once, with no window in which
        // another test's descriptor could take it.
        let null = open("/dev/null", O_RDONLY)
        defer { close(null) }
        #expect(dup2(null, ends[0]) == ends[0])
        #expect(identity.loss == "descriptor \(ends[0]) (the test's pipe) was closed and its number now refers to another file")
        close(ends[0])
        // Tests run in parallel: another may have opened a file under that number already.
        let loss = try #require(identity.loss)
        #expect(loss.hasPrefix("descriptor \(ends[0]) (the test's pipe) was closed"), "\(loss)")
    }

    @Test("a descriptor that is not open has no identity, with the reason")
    func notOpen() {
        #expect(throws: SystemCallError.self) { try DescriptorIdentity(of: 987_654, role: "none") }
    }
}

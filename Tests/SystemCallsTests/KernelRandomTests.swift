import SystemCalls
import Testing

@Suite("KernelRandom: bytes from getrandom")
struct KernelRandomTests {
    @Test("it gives exactly the bytes asked for, beyond one call's 32 MiB limit too, and never the same twice")
    func bytes() throws {
        #expect(try KernelRandom.bytes(count: 0).isEmpty)
        let first = try KernelRandom.bytes(count: 32)
        let second = try KernelRandom.bytes(count: 32)
        #expect(first.count == 32 && second.count == 32)
        #expect(first != second)
        let large = try KernelRandom.bytes(count: 33 << 20)
        #expect(large.count == 33 << 20)
        #expect(Set(large.suffix(4096)).count > 200, "the end of a large read is filled")
    }
}

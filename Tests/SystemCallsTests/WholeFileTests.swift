import Foundation
import Glibc
import SystemCalls
import Testing

@Suite("Whole-file reads")
struct WholeFileTests {
    @Test("a file several chunks long is read whole, and up to a limit")
    func realFile() throws {
        let path = NSTemporaryDirectory() + "systemcalls-\(getpid())-\(UUID().uuidString)"
        defer { unlink(path) }
        let bytes = (0..<300_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        #expect(try FileDescriptor.contents(ofFile: path) == bytes)
        #expect(try FileDescriptor.contents(ofFile: path, upTo: 70_000) == Array(bytes[..<70_000]))
        #expect(try FileDescriptor.contents(ofFile: path, upTo: bytes.count + 1) == bytes)
    }

    @Test("/proc/self/status, whose size reads as 0, is read whole")
    func procSelfStatus() throws {
        let text = String(decoding: try FileDescriptor.contents(ofFile: "/proc/self/status"), as: UTF8.self)
        #expect(text.split(separator: "\n").contains("Pid:\t\(getpid())"))
        #expect(text.contains("VmRSS:"))
    }

    @Test("a directory cannot be read, and the error names it")
    func directory() throws {
        let error = try #require(throws: SystemCallError.self) { _ = try FileDescriptor.contents(ofFile: "/proc") }
        #expect(error == SystemCallError(call: "read", errno: Errno(rawValue: EISDIR), path: "/proc"))
    }
}

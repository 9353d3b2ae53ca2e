import Foundation
import Glibc
import SystemCalls
import Testing

@Suite("ExclusiveFileLock")
struct ExclusiveFileLockTests {
    @Test("a second taker is refused with the holder's note; once released, it takes the lock and its own note")
    func heldThenReleased() throws {
        let path = "/tmp/efl-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).lock"
        defer { unlink(path) }
        let first = try ExclusiveFileLock(path: path, note: ["\(getpid())", "/run/skillhost/skillhostd.sock"])
        #expect(throws: ExclusiveFileLock.Failure.held(note: ["\(getpid())", "/run/skillhost/skillhostd.sock"])) {
            try ExclusiveFileLock(path: path, note: ["2"])
        }
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(fcntl(try #require(first.descriptorIdentity).descriptor, F_GETFD) & FD_CLOEXEC != 0, "close-on-exec")

        first.release()
        let second = try ExclusiveFileLock(path: path, note: ["2"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "2\n", "the earlier, longer note is cut off")
        second.release()
    }

    @Test("a lock file that cannot be created is a system call error naming it")
    func cannotOpen() {
        #expect(throws: ExclusiveFileLock.Failure.systemCall(
            SystemCallError(call: "open", errno: .noSuchFileOrDirectory, path: "/nonexistent/dir/x.lock"))) {
            try ExclusiveFileLock(path: "/nonexistent/dir/x.lock", note: [])
        }
    }
}

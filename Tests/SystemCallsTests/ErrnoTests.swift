import Glibc
import SystemCalls
import Testing

@Suite("Errno and SystemCallError")
struct ErrnoTests {
    @Test("the named values are the C error numbers")
    func namedValues() {
        let pairs: [(Errno, Int32)] = [
            (.interrupted, EINTR), (.wouldBlock, EAGAIN), (.wouldBlock, EWOULDBLOCK), (.noSuchFileOrDirectory, ENOENT),
            (.brokenPipe, EPIPE), (.invalidArgument, EINVAL), (.badFileDescriptor, EBADF), (.permissionDenied, EACCES),
            (.tooManyOpenFiles, EMFILE), (.connectionRefused, ECONNREFUSED), (.inProgress, EINPROGRESS),
        ]
        for (value, code) in pairs {
            #expect(value.rawValue == code)
            #expect(value == Errno(rawValue: code))
        }
        #expect(Errno.interrupted != Errno.wouldBlock)
    }

    @Test("an error number reads as the system's sentence and its symbol")
    func descriptionAndName() {
        #expect(Errno.noSuchFileOrDirectory.description == "No such file or directory")
        #expect(Errno.noSuchFileOrDirectory.name == "ENOENT")
        #expect(Errno.brokenPipe.description == "Broken pipe")
        #expect(Errno.brokenPipe.name == "EPIPE")
        #expect(Errno(rawValue: 4242).name == "errno 4242")
    }

    @Test("current is the errno a failed call just left")
    func current() {
        #expect(Glibc.close(-1) == -1)
        #expect(Errno.current == .badFileDescriptor)
    }

    @Test("a failed open names the call, the path and the error")
    func failedOpen() throws {
        let path = "/nonexistent-\(getpid())/skill.so"
        let error = try #require(throws: SystemCallError.self) {
            _ = try FileDescriptor.open(path, flags: O_RDONLY)
        }
        #expect(error == SystemCallError(call: "open", errno: .noSuchFileOrDirectory, path: path))
        #expect(error.description == "open(\(path)) failed: No such file or directory (ENOENT)")
    }

    @Test("an error the user can do something about says what")
    func remedy() {
        let denied = SystemCallError(call: "open", errno: .permissionDenied, path: "/srv/key")
        #expect(denied.description
            == "open(/srv/key) failed: Permission denied (EACCES): check the permissions of the file and of the directories above it")
        let exhausted = SystemCallError(call: "accept4", errno: .tooManyOpenFiles)
        #expect(exhausted.description.hasSuffix("(EMFILE): the process has too many open files: raise its limit (ulimit -n)"))
        #expect(SystemCallError(call: "connect", errno: .connectionRefused).description
            == "connect failed: Connection refused (ECONNREFUSED)")
    }
}

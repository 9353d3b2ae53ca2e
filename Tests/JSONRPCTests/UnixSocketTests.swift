import CSystemShims
import Foundation
import Glibc
import JSONRPC
import SystemCalls
import Testing

@Suite("Unix socket listener and connections")
struct UnixSocketTests {
    private func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    @Test("creates the directory 0700 and the socket 0600, and cleans up on close")
    func modes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("run/skillhost/s.sock")
        let listener = try UnixSocketListener(path: socketPath)
        #expect(mode(of: directory.file("run/skillhost")) == 0o700)
        #expect(mode(of: socketPath) == 0o600)
        #expect(access(UnixSocketListener.lockPath(forSocket: socketPath), F_OK) == 0)
        listener.close()
        #expect(access(socketPath, F_OK) != 0)
        let reopened = try UnixSocketListener(path: socketPath)
        reopened.close()
    }

    @Test("refuses a directory that other users may write to")
    func directoryWritableByOthers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o777) == 0)
        #expect(throws: UnixSocketError.directoryWritableByOthers(directory: directory.path, mode: 0o777)) {
            try UnixSocketListener(path: directory.file("s.sock"))
        }
    }

    @Test("leaves an existing directory of ours as it is, and makes the socket 0600")
    func existingDirectoryUntouched() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(chmod(directory.path, 0o755) == 0)
        let listener = try UnixSocketListener(path: directory.file("s.sock"))
        defer { listener.close() }
        #expect(mode(of: directory.path) == 0o755)
        #expect(mode(of: directory.file("s.sock")) == 0o600)
    }

    @Test("refuses a directory owned by another user")
    func foreignDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Root can hand a directory to another user; anyone else finds one in root's /.
        let (foreign, owner): (String, UInt32) = geteuid() == 0 ? (directory.path, 65534) : ("/", 0)
        if geteuid() == 0 { #expect(chown(foreign, owner, owner) == 0) }
        #expect(throws: UnixSocketError.directoryNotOwned(directory: foreign, ownerUID: owner, currentUID: geteuid())) {
            try UnixSocketListener(path: foreign == "/" ? "/skillhost-test.sock" : foreign + "/s.sock")
        }
    }

    @Test("a second listener on the same path refuses, naming the path and our pid")
    func secondListener() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("s.sock")
        let first = try UnixSocketListener(path: socketPath)
        defer { first.close() }
        #expect(throws: UnixSocketError.alreadyServing(path: socketPath, pid: getpid())) {
            try UnixSocketListener(path: socketPath)
        }
        let message = UnixSocketError.alreadyServing(path: socketPath, pid: getpid()).description
        #expect(message == "another server is already serving \(socketPath) (pid \(getpid()))")
        // The refused attempt must not have disturbed the first listener.
        let client = try UnixSocketConnection.connect(to: socketPath)
        let accepted = try first.accept()
        #expect(accepted.peer.pid == getpid())
        client.shutdown()
    }

    @Test("a socket that another process listens on without the lock (a socket unit) is left alone, and refused by name")
    func listeningSocketWithoutLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("s.sock")
        let fd = cshim_unix_stream_socket()
        defer { close(fd) }
        #expect(cshim_bind_unix(fd, socketPath) == 0)
        #expect(listen(fd, 8) == 0)
        #expect(throws: UnixSocketError.alreadyServing(path: socketPath, pid: nil)) {
            try UnixSocketListener(path: socketPath)
        }
        #expect(UnixSocketError.alreadyServing(path: socketPath, pid: nil).description
            == "something already listens at \(socketPath) (another server, or a service manager's socket unit)")
        // Still the other listener's: a client reaches it.
        let client = try UnixSocketConnection.connect(to: socketPath)
        let accepted = accept(fd, nil, nil)
        #expect(accepted >= 0)
        if accepted >= 0 { close(accepted) }
        client.shutdown()
    }

    @Test("a stale socket file left by a dead process is replaced")
    func staleSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let socketPath = directory.file("s.sock")
        let fd = cshim_unix_stream_socket()
        #expect(cshim_bind_unix(fd, socketPath) == 0)
        close(fd)
        #expect(access(socketPath, F_OK) == 0)
        #expect(throws: UnixSocketError.self) { try UnixSocketConnection.connect(to: socketPath) }

        let listener = try UnixSocketListener(path: socketPath)
        defer { listener.close() }
        let client = try UnixSocketConnection.connect(to: socketPath)
        _ = try listener.accept()
        client.shutdown()
    }

    @Test("a file that is not a socket is left alone")
    func notASocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("precious.txt")
        #expect(creat(path, 0o600) >= 0)
        #expect(throws: UnixSocketError.notASocket(path: path)) { try UnixSocketListener(path: path) }
        #expect(access(path, F_OK) == 0)
    }

    @Test("a path too long for a socket address is refused with the limit")
    func longPath() {
        let path = "/tmp/" + String(repeating: "x", count: 200) + ".sock"
        #expect(throws: UnixSocketError.pathTooLong(path: path, limit: Int(cshim_unix_path_max()))) {
            try UnixSocketListener(path: path)
        }
    }

    @Test("peer credentials are ours on both ends; bytes pass both ways, large writes whole")
    func peerCredentialsAndIO() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = try UnixSocketListener(path: directory.file("s.sock"))
        defer { listener.close() }
        let client = try UnixSocketConnection.connect(to: listener.path)
        let server = try listener.accept()
        #expect(server.peer.uid == getuid())
        #expect(server.peer.gid == getgid())
        #expect(server.peer.pid == getpid())
        #expect(client.peer.uid == getuid())

        // Larger than the socket buffers: the write must loop over partial writes while the
        // other side reads.
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let writer = Thread { try? client.write(payload); client.shutdown() }
        writer.start()
        let received = await onDedicatedThread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { (try? server.read(into: $0)) ?? 0 }
                if count == 0 { return bytes }
                bytes += chunk[..<count]
            }
        }
        #expect(received == payload)
    }

    @Test("stopAccepting wakes a blocked accept")
    func stopAccepting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = try UnixSocketListener(path: directory.file("s.sock"))
        defer { listener.close() }
        Thread { [listener] in
            Thread.sleep(forTimeInterval: 0.1)
            listener.stopAccepting()
        }.start()
        let failed = await onDedicatedThread { () -> Bool in
            do throws(SystemCallError) {
                _ = try listener.accept()
                return false
            } catch {
                return error.errno == .invalidArgument
            }
        }
        #expect(failed)
    }
}

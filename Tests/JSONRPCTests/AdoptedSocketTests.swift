import CSystemShims
import Foundation
import Glibc
import JSON
import JSONRPC
import Synchronization
import SystemCalls
import Testing

/// Sockets made by another process and passed to this one (a service manager's), played by
/// sockets the test makes and keeps a copy of, as the service manager does.
@Suite("Adopted listening sockets")
struct AdoptedSocketTests {
    /// A Unix stream socket bound at `path`, listening unless `listens` is false.
    private func unixSocket(at path: String, listens: Bool = true) throws -> Int32 {
        let descriptor = cshim_unix_stream_socket()
        try #require(descriptor >= 0 && cshim_bind_unix(descriptor, path) == 0)
        if listens { try #require(listen(descriptor, 16) == 0) }
        return descriptor
    }

    private func refusal(adopting descriptor: Int32) -> String? {
        do {
            _ = try UnixSocketListener(adoptingListeningSocket: descriptor)
            return nil
        } catch {
            guard case let .notAListeningUnixSocket(refused, reason) = error, refused == descriptor else { return "\(error)" }
            return reason
        }
    }

    @Test("an adopted socket is served at its own path; closing it neither shuts it down nor unlinks it")
    func servedAndLeftListening() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("passed.sock")
        let descriptor = try unixSocket(at: path)
        // What the service manager keeps: the same listening socket under another number.
        let kept = dup(descriptor)
        defer { close(kept) }
        do {
            let listener = try UnixSocketListener(adoptingListeningSocket: descriptor)
            #expect(listener.path == path && listener.isAdopted)
            let client = try UnixSocketConnection.connect(to: path)
            #expect(try listener.accept().peer.pid == getpid())
            client.shutdown()
            listener.close()
        }
        #expect(fcntl(descriptor, F_GETFD) == -1, "the listener closed its descriptor when it went away")
        #expect(access(path, F_OK) == 0, "the socket file is still there")
        let late = try UnixSocketConnection.connect(to: path)
        let accepted = cshim_accept_cloexec(kept)
        #expect(accepted >= 0, "the socket still listens for the next server: errno \(errno)")
        close(accepted)
        late.shutdown()
    }

    @Test("stopAccepting wakes an accept blocked on an adopted socket within its check interval")
    func stopWakesAccept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let listener = try UnixSocketListener(adoptingListeningSocket: try unixSocket(at: directory.file("passed.sock")))
        let outcome = Mutex<String?>(nil)
        let thread = Thread {
            do throws(SystemCallError) {
                _ = try listener.accept()
                outcome.withLock { $0 = "accepted" }
            } catch {
                outcome.withLock { $0 = error.errno.name }
            }
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(300))
        #expect(outcome.withLock { $0 } == nil, "accept waits for a client")
        listener.stopAccepting()
        let deadline = ContinuousClock.now + .seconds(2)
        while outcome.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(outcome.withLock { $0 } == "EINVAL")
    }

    @Test("a descriptor that is not a listening Unix stream socket is refused, saying what it is")
    func refusals() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(refusal(adopting: try unixSocket(at: directory.file("idle.sock"), listens: false))
            == "it does not listen (SO_ACCEPTCONN is 0)")
        let datagram = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #expect(refusal(adopting: datagram)?.hasPrefix("it is not a stream socket") == true)
        let internet = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        #expect(listen(internet, 1) == 0)
        #expect(refusal(adopting: internet) == "it is not a Unix socket (its domain is \(AF_INET))")
        let file = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(refusal(adopting: file) == "it is not a socket")
        for descriptor in [datagram, internet, file] {
            #expect(fcntl(descriptor, F_GETFD) == -1, "a refused descriptor is closed")
        }
    }

    @Test("a server on an adopted socket answers, and its shutdown leaves the socket listening")
    func serverOnAdoptedSocket() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("passed.sock")
        let descriptor = try unixSocket(at: path)
        let kept = dup(descriptor)
        defer { close(kept) }
        let (_, continuation) = AsyncStream.makeStream(of: String.self)
        let server = JSONRPCServer(listener: try UnixSocketListener(adoptingListeningSocket: descriptor),
                                   handler: TestHandler(events: continuation))
        #expect(server.socketPath == path && server.listenBacklog == nil)
        try server.start()
        #expect(server.isAccepting)
        let client = try JSONRPCClient(socketPath: path)
        #expect(try await client.call("add", params: ["a": 2, "b": 3]) == 5)
        client.close()
        await server.shutdown(grace: .milliseconds(100))
        #expect(!server.isAccepting)
        #expect(access(path, F_OK) == 0)
        let late = try UnixSocketConnection.connect(to: path)
        let accepted = cshim_accept_cloexec(kept)
        #expect(accepted >= 0, "errno \(errno)")
        close(accepted)
        late.shutdown()
    }
}

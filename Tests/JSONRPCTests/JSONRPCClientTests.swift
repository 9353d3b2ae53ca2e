import CSystemShims
import Foundation
import Glibc
import JSON
import JSONRPC
import Synchronization
import Testing

@Suite("JSON-RPC client")
struct JSONRPCClientTests {
    @Test("calls return results; server errors surface as .server")
    func calls() async throws {
        let server = try TestServer()
        let client = try JSONRPCClient(socketPath: server.socketPath)
        #expect(try await client.call("add", params: ["a": 40, "b": 2]) == 42)
        await #expect(throws: JSONRPCClientError.server(.methodNotFound("nope"))) {
            try await client.call("nope")
        }
        do {
            _ = try await client.call("fail")
            Issue.record("expected an error")
        } catch {
            guard case .server(let serverError) = error else {
                Issue.record("expected a server error, got \(error)")
                return
            }
            #expect(serverError.kind == "not_found")
            #expect(serverError.data?["run_id"] == 7)
        }
        client.close()
        await server.stop()
    }

    @Test("concurrent calls on one connection are matched by id")
    func concurrentCalls() async throws {
        let server = try TestServer()
        let client = try JSONRPCClient(socketPath: server.socketPath)
        let results = await withTaskGroup(of: (Int64, JSONValue?).self) { group in
            for index in Int64(0)..<20 {
                group.addTask {
                    (index, try? await client.call("sleep", params: ["ms": .int(20 - index)]))
                }
            }
            var results: [Int64: JSONValue?] = [:]
            for await (index, result) in group { results[index] = result }
            return results
        }
        #expect(results.count == 20)
        for (index, result) in results { #expect(result == .string("slept \(20 - index)")) }
        client.close()
        await server.stop()
    }

    @Test("notifications from the server reach onNotification; notify sends without a reply")
    func notifications() async throws {
        let server = try TestServer()
        let received = Mutex<[String]>([])
        let client = try JSONRPCClient(socketPath: server.socketPath) { method, params in
            received.withLock { $0.append("\(method) \(params?.serialized() ?? "-")") }
        }
        #expect(try await client.call("notify_me") == true)
        #expect(received.withLock { $0 } == [#"progress {"done":1}"#])
        try client.notify("record", params: ["tag": "from-client"])
        #expect(await server.nextEvent() == "notified from-client")
        client.close()
        await server.stop()
    }

    @Test("a missing socket says the daemon is not running and how to start it")
    func missingSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("none.sock")
        #expect(throws: JSONRPCClientError.notRunning(socketPath: path)) { try JSONRPCClient(socketPath: path) }
        #expect(JSONRPCClientError.notRunning(socketPath: path).description
            == "no server is listening at \(path)")
    }

    @Test("a socket file nobody listens on means the daemon is not running")
    func staleSocket() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("stale.sock")
        let fd = cshim_unix_stream_socket()
        #expect(cshim_bind_unix(fd, path) == 0)
        close(fd)
        #expect(throws: JSONRPCClientError.notRunning(socketPath: path)) { try JSONRPCClient(socketPath: path) }
    }

    @Test("a socket we may not open is 'permission denied'", .enabled(if: geteuid() != 0, "root may open any socket"))
    func permissionDenied() async throws {
        let server = try TestServer()
        #expect(chmod(server.socketPath, 0o000) == 0)
        #expect(throws: JSONRPCClientError.permissionDenied(socketPath: server.socketPath)) {
            try JSONRPCClient(socketPath: server.socketPath)
        }
        await server.stop()
    }

    @Test("a server shutting down answers a pending call as cancelled, then later calls fail with a clear error")
    func droppedConnection() async throws {
        let server = try TestServer()
        let client = try JSONRPCClient(socketPath: server.socketPath)
        let pending = Task { try await client.call("wait", params: ["tag": "d"]) }
        #expect(await server.nextEvent() == "started d")
        await server.server.shutdown(grace: .zero)
        let result = await pending.result
        let error = #expect(throws: JSONRPCClientError.self) { try result.get() }
        #expect(error?.description.contains("cancelled") == true, "\(String(describing: error))")
        await #expect(throws: JSONRPCClientError.connectionLost(socketPath: server.socketPath, reason: nil)) {
            try await client.call("echo")
        }
        server.directory.remove()
    }

    @Test("cancelling the calling task ends the call at once")
    func cancellation() async throws {
        let server = try TestServer()
        let client = try JSONRPCClient(socketPath: server.socketPath)
        let pending = Task { try await client.call("wait", params: ["tag": "c"]) }
        #expect(await server.nextEvent() == "started c")
        pending.cancel()
        let result = await pending.result
        #expect(throws: JSONRPCClientError.cancelled(method: "wait")) { try result.get() }
        client.close()
        await server.stop()
    }
}

import JSON
import JSONRPC
import Synchronization
import Testing

/// ``InMemoryJSONRPCConnection``: a handler answered without a socket, as the caller given,
/// its notifications kept or forwarded as they are sent.
@Suite("InMemoryJSONRPCConnection: the caller given, notifications kept or forwarded, none after close")
struct InMemoryConnectionTests {
    /// Sends two notifications on the call's connection, then answers who called and whether
    /// the connection is still open.
    private struct Notifier: JSONRPCMethodHandler {
        func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
            call.connection.notify(method: "first", params: ["n": 1])
            call.connection.notify(method: "second")
            return ["caller": .string("\(call.caller)"), "open": .bool(call.connection.isOpen)]
        }
    }

    @Test("forwarded notifications arrive in order, as sent, and none after close; the caller is the one given")
    func forwarded() async throws {
        let received = Mutex<[String]>([])
        let connection = InMemoryJSONRPCConnection(handler: Notifier(), caller: .authenticated(name: "ci")) { notification in
            received.withLock { $0.append("\(notification.method) \(notification.params.map(\.description) ?? "-")") }
        }
        #expect(try await connection.call("m") == ["caller": #"token "ci""#, "open": true])
        #expect(received.withLock { $0 } == [#"first {"n":1}"#, "second -"])
        #expect(connection.notifications.isEmpty, "forwarded notifications are not kept")

        connection.close()
        #expect(try await connection.call("m")["open"] == false)
        #expect(received.withLock { $0.count } == 2)
    }

    @Test("without a closure the notifications are kept; a local process is the caller by its credentials")
    func kept() async throws {
        let connection = InMemoryJSONRPCConnection(handler: Notifier(), peer: PeerCredentials(pid: 7, uid: 1000, gid: 1000))
        #expect(try await connection.call("m")["caller"] == "uid 1000 (pid 7)")
        #expect(connection.notifications.map(\.method) == ["first", "second"])
    }

    @Test("a batch longer than the limits allow is refused before any of it runs")
    func limits() async throws {
        let limits = JSONRPCServerLimits(maximumConnections: 1, maximumRequestBytes: 1 << 20, maximumBatchLength: 1) { _ in
            .invalidRequest("too long")
        }
        let connection = InMemoryJSONRPCConnection(handler: Notifier(), caller: .authenticated(name: "ci"), limits: limits)
        let answer = await connection.exchange(line: #"[{"jsonrpc":"2.0","id":1,"method":"m"},{"jsonrpc":"2.0","id":2,"method":"m"}]"#)
        #expect(answer?["error"]?["message"]?.stringValue?.hasSuffix("too long") == true, "\(answer ?? .null)")
        #expect(connection.notifications.isEmpty)
    }
}

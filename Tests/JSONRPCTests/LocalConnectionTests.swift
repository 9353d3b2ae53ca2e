import JSON
import JSONRPC
import Synchronization
import Testing

/// ``LocalJSONRPCConnection``: a handler called in process sends its notifications to a closure.
@Suite("LocalJSONRPCConnection: notifications to a closure, until closed")
struct LocalConnectionTests {
    /// Sends two notifications on the call's connection, then answers whether it is still open.
    private struct Notifier: JSONRPCMethodHandler {
        func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
            call.connection.notify(method: "first", params: ["n": 1])
            call.connection.notify(method: "second")
            return .bool(call.connection.isOpen)
        }
    }

    @Test("the call carries the connection's caller; notifications arrive in order, as sent; none after close")
    func notifications() async throws {
        let received = Mutex<[String]>([])
        let caller = PeerCredentials(pid: 1, uid: 2, gid: 3)
        let connection = LocalJSONRPCConnection(peer: caller) { method, params in
            received.withLock { $0.append("\(method) \(params.map(\.description) ?? "-")") }
        }
        let call = connection.call("m", params: ["x": 1])
        #expect(call.method == "m" && call.params == ["x": 1] && !call.isNotification && call.peer == caller)
        #expect(try await Notifier().handle(call) == true)
        #expect(received.withLock { $0 } == [#"first {"n":1}"#, "second -"])

        connection.close()
        #expect(try await Notifier().handle(connection.call("m", params: nil)) == false)
        #expect(received.withLock { $0.count } == 2)
    }
}

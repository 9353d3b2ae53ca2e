import JSON
import JSONRPC
import SkillhostProtocol
import Synchronization

/// A skillhost in this very process, reached through its JSON-RPC handler: what the daemon
/// gives the MCP sessions it serves itself (Streamable HTTP). Each call goes straight to the
/// handler on an in-memory connection of its own (``InMemoryJSONRPCConnection``) as `caller`,
/// and its notifications to the call's closure; cancelling a call's task cancels its
/// handler, so a `skills.run` ends as `cancelled`, as when a socket client leaves.
public final class InProcessSkillhost: MCPSkillhost {
    private let handler: any JSONRPCMethodHandler
    private let caller: JSONRPCCaller
    /// The connection of the watch, once it is made. A `Mutex`: the session's tasks watch
    /// and close from any thread.
    private let watcher = Mutex<InMemoryJSONRPCConnection?>(nil)

    /// The skillhost `handler` answers for, whose runs record `caller` as theirs.
    public init(handler: any JSONRPCMethodHandler, caller: JSONRPCCaller) {
        self.handler = handler
        self.caller = caller
    }

    public func call(_ method: String, params: JSONValue?,
                     onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue {
        let connection = InMemoryJSONRPCConnection(handler: handler, caller: caller) { onNotification($0.method, $0.params) }
        defer { connection.close() }
        return try await connection.call(method, params: params)
    }

    public func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList {
        let connection = InMemoryJSONRPCConnection(handler: handler, caller: caller) { notification in
            if let change = SkillsChangedNotification(method: notification.method, params: notification.params) { onChange(change) }
        }
        let previous = watcher.withLock { watcher in
            defer { watcher = connection }
            return watcher
        }
        previous?.close()
        let answer = try await connection.call(WatchSkillsRequest.method)
        do {
            return try WatchSkillsRequest.decodeResult(answer)
        } catch {
            throw .internalError("\(WatchSkillsRequest.method) made a result that cannot be read: \(error)")
        }
    }

    public func close() {
        watcher.withLock { watcher in
            defer { watcher = nil }
            return watcher
        }?.close()
    }
}

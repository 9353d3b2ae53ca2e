import JSON
import JSONRPC
import MCP
import SkillhostProtocol
import Synchronization

/// The daemon's own service as the skillhost of an MCP session that the daemon serves
/// itself (Streamable HTTP): each call goes straight to the service's handlers, on a
/// connection of its own inside the process, as `caller`. Cancelling a call's task cancels
/// its handler, so a `skills.run` ends as `cancelled`, as when a socket client leaves.
public final class InProcessSkillhost: MCPSkillhost {
    private let service: SkillHostService
    private let caller: PeerCredentials
    /// The connection of the watch, once it is made. A `Mutex`: the session's tasks watch
    /// and close from any thread.
    private let watcher = Mutex<LocalJSONRPCConnection?>(nil)

    /// The skillhost of `service`, whose runs record `caller` as theirs.
    public init(service: SkillHostService, caller: PeerCredentials) {
        self.service = service
        self.caller = caller
    }

    public func call(_ method: String, params: JSONValue?,
                     onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue {
        let connection = LocalJSONRPCConnection(peer: caller, onNotification: onNotification)
        defer { connection.close() }
        return try await service.handle(connection.call(method, params: params))
    }

    public func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList {
        let connection = LocalJSONRPCConnection(peer: caller) { method, params in
            if let change = SkillsChangedNotification(method: method, params: params) { onChange(change) }
        }
        let previous = watcher.withLock { watcher in
            defer { watcher = connection }
            return watcher
        }
        previous?.close()
        let answer = try await service.handle(connection.call(WatchSkillsRequest.method, params: nil))
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

import JSON
import JSONRPC
import SkillhostProtocol
import Synchronization

/// skillhostd over its Unix socket, as `skillctl mcp` reaches it: each call on a connection
/// of its own, so that its notifications are its own and cancelling it is closing that
/// connection (the daemon cancels the requests of a client that leaves), and the watch on
/// one more connection, kept open.
public final class UnixSocketSkillhost: MCPSkillhost {
    /// The daemon's socket.
    public let socketPath: String
    /// Why a call got no answer, in the words of the program that serves (what to start,
    /// which flag picks another socket).
    private let describe: @Sendable (JSONRPCClientError) -> String
    /// The connection of the watch, once it is made. A `Mutex`: the session's tasks watch
    /// and close from any thread.
    private let watcher = Mutex<JSONRPCClient?>(nil)

    /// The daemon at `socketPath`; nothing is connected before the first call. `describing`
    /// says why a call got no answer (no daemon, the connection lost), for the MCP client.
    public init(socketPath: String, describing: @escaping @Sendable (JSONRPCClientError) -> String = \.description) {
        self.socketPath = socketPath
        describe = describing
    }

    public func call(_ method: String, params: JSONValue?,
                     onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue {
        let client = try connect(onNotification: onNotification)
        defer { client.close() }
        do {
            return try await client.call(method, params: params)
        } catch {
            throw rpcError(error)
        }
    }

    public func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList {
        let client = try connect { method, params in
            if let change = SkillsChangedNotification(method: method, params: params) { onChange(change) }
        }
        let previous = watcher.withLock { watcher in
            defer { watcher = client }
            return watcher
        }
        previous?.close()
        let answer: JSONValue
        do {
            answer = try await client.call(WatchSkillsRequest.method)
        } catch {
            throw rpcError(error)
        }
        do {
            return try WatchSkillsRequest.decodeResult(answer)
        } catch {
            throw .internalError("skillhostd answered \(WatchSkillsRequest.method) with a result this server cannot read (\(error))")
        }
    }

    public func close() {
        watcher.withLock { client in
            defer { client = nil }
            return client
        }?.close()
    }

    private func connect(onNotification: @escaping @Sendable (String, JSONValue?) -> Void) throws(JSONRPCError) -> JSONRPCClient {
        do {
            return try JSONRPCClient(socketPath: socketPath, onNotification: onNotification)
        } catch {
            throw rpcError(error)
        }
    }

    /// A client's failure as the error the MCP client is answered with: the daemon's own
    /// error as it came, any other (no daemon, the connection lost) as `internal`.
    private func rpcError(_ error: JSONRPCClientError) -> JSONRPCError {
        if case .server(let error) = error { return error }
        return JSONRPCError(code: JSONRPCError.StandardCode.internalError, kind: "internal", message: describe(error))
    }
}

import JSON
import Synchronization

/// A client connection inside the server's own process: a handler called directly (not
/// through a socket) gets a ``handle`` like any other, and the notifications it sends on it
/// go to a closure, as they are sent. What a part of a server that serves another protocol
/// over the same handlers (an MCP session) calls them with.
public final class LocalJSONRPCConnection: Sendable {
    /// Who the handlers see as the caller.
    public let peer: PeerCredentials
    private let onNotification: @Sendable (String, JSONValue?) -> Void
    /// Whether notifications are still delivered. A `Mutex`: handlers send from any task or thread.
    private let isOpenState = Mutex(true)

    /// A connection whose caller is `peer`; each notification sent on it goes to
    /// `onNotification` (its method and params), on the sender's thread, until ``close()``.
    public init(peer: PeerCredentials, onNotification: @escaping @Sendable (String, JSONValue?) -> Void) {
        self.peer = peer
        self.onNotification = onNotification
    }

    /// The connection as handlers see it, for a ``JSONRPCCall``.
    public var handle: JSONRPCConnectionHandle { JSONRPCConnectionHandle(self) }

    /// The call of `method` with `params` on this connection, for a handler to answer.
    public func call(_ method: String, params: JSONValue?) -> JSONRPCCall {
        JSONRPCCall(method: method, params: params, isNotification: false, peer: peer, connection: handle)
    }

    /// Closes the connection: later notifications are dropped, and handlers see it closed.
    public func close() {
        isOpenState.withLock { $0 = false }
    }
}

extension LocalJSONRPCConnection: JSONRPCConnectionEndpoint {
    var isOpen: Bool { isOpenState.withLock { $0 } }

    func send(_ message: JSONValue) {
        guard isOpen, let method = message["method"]?.stringValue else { return }
        onNotification(method, message["params"])
    }
}

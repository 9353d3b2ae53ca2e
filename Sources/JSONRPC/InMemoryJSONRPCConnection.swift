import JSON
import Synchronization

/// A client connection that lives in memory: each line given to it is parsed, validated
/// and answered by a handler exactly as a ``JSONRPCServer`` answers a line from a socket,
/// and the notifications the handler sends the client are kept, in order. It lets a
/// handler be tested without a socket.
public final class InMemoryJSONRPCConnection: Sendable {
    /// The credentials the handler sees as the caller's.
    public let peer: PeerCredentials
    private let handler: any JSONRPCMethodHandler
    /// The notifications sent so far, and whether the connection is open. A `Mutex`:
    /// handlers send from any task or thread.
    private let state = Mutex<(isOpen: Bool, notifications: [JSONRPCRequest])>((true, []))

    /// A connection to `handler` from a client with `peer`'s credentials.
    public init(handler: any JSONRPCMethodHandler, peer: PeerCredentials) {
        self.handler = handler
        self.peer = peer
    }

    /// Sends one line as a client would (without its newline) and returns the response
    /// (an object, or a batch's array), or `nil` when nothing is answered.
    public func exchange(line: String) async -> JSONValue? {
        let responder = JSONRPCResponder(handler: handler, peer: peer, connection: JSONRPCConnectionHandle(self))
        return await responder.respond(to: JSONRPCInboundMessage(line: Array(line.utf8)))
    }

    /// Calls `method` and returns its result.
    /// - Throws: the handler's error, as the client would receive it.
    public func call(_ method: String, params: JSONValue? = nil) async throws(JSONRPCError) -> JSONValue {
        let request = JSONRPCRequest(method: method, params: params, id: .int(1))
        guard let answer = await exchange(line: request.jsonValue.serialized()), let response = JSONRPCResponse(answer) else {
            throw .internalError("\(method) was not answered")
        }
        return try response.outcome.get()
    }

    /// The notifications the handler has sent the client so far, oldest first.
    public var notifications: [JSONRPCRequest] { state.withLock { $0.notifications } }

    /// Disconnects the client: later notifications are dropped.
    public func close() {
        state.withLock { $0.isOpen = false }
    }
}

extension InMemoryJSONRPCConnection: JSONRPCConnectionEndpoint {
    var isOpen: Bool { state.withLock { $0.isOpen } }

    func send(_ message: JSONValue) {
        guard case .request(let notification) = JSONRPCRequest.validate(message) else { return }
        state.withLock { state in
            if state.isOpen { state.notifications.append(notification) }
        }
    }
}

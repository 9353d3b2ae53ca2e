import JSON
import Synchronization

/// A client connection that lives in memory: each message given to it is parsed, validated
/// and answered by a handler exactly as a ``JSONRPCServer`` answers a line from a socket.
///
/// Tests use it to drive a handler without a socket, and transports other than the socket
/// use it for one exchange each: HTTP's `POST /rpc` gives it the request's body, with the
/// caller its token identified. The notifications the handler sends the client are kept, in
/// order, or handed to a closure as they are sent, for a transport that streams them.
public final class InMemoryJSONRPCConnection: Sendable {
    /// Who the handler sees as the caller.
    public let caller: JSONRPCCaller
    private let handler: any JSONRPCMethodHandler
    private let limits: JSONRPCServerLimits
    private let forward: (@Sendable (JSONRPCRequest) -> Void)?
    /// The notifications kept so far, and whether the connection is open. A `Mutex`:
    /// handlers send from any task or thread.
    private let state = Mutex<(isOpen: Bool, notifications: [JSONRPCRequest])>((true, []))

    /// A connection to `handler` from `caller`, whose messages are refused beyond `limits`'
    /// request size and batch length; the notifications it is sent go to `forward` when one
    /// is given, else they are kept for ``notifications``.
    public init(handler: any JSONRPCMethodHandler, caller: JSONRPCCaller, limits: JSONRPCServerLimits = JSONRPCServerLimits(),
                forwardingNotificationsTo forward: (@Sendable (JSONRPCRequest) -> Void)? = nil) {
        self.handler = handler
        self.caller = caller
        self.limits = limits
        self.forward = forward
    }

    /// A connection to `handler` from a local process with `peer`'s credentials.
    public convenience init(handler: any JSONRPCMethodHandler, peer: PeerCredentials) {
        self.init(handler: handler, caller: .process(peer))
    }

    /// Sends one message as a client would (a request, a notification or a batch, in UTF-8)
    /// and returns the response (an object, or a batch's array), or `nil` when nothing is
    /// answered.
    public func exchange(message: [UInt8]) async -> JSONValue? {
        let responder = JSONRPCResponder(handler: handler, caller: caller, connection: JSONRPCConnectionHandle(self))
        return await responder.respond(to: JSONRPCInboundMessage(line: message, limits: limits))
    }

    /// Sends one line as a client would (without its newline), as ``exchange(message:)``.
    public func exchange(line: String) async -> JSONValue? {
        await exchange(message: Array(line.utf8))
    }

    /// Calls `method` and returns its result: what ``exchange(message:)`` answers a request of
    /// it with, without writing the request as text and parsing it again.
    /// - Throws: the handler's error, as the client would receive it.
    public func call(_ method: String, params: JSONValue? = nil) async throws(JSONRPCError) -> JSONValue {
        let responder = JSONRPCResponder(handler: handler, caller: caller, connection: JSONRPCConnectionHandle(self))
        guard let response = await responder.respond(to: JSONRPCRequest(method: method, params: params, id: .int(1))) else {
            throw .internalError("\(method) was not answered")
        }
        return try response.outcome.get()
    }

    /// The notifications the handler has sent the client so far, oldest first; none when
    /// they are forwarded.
    public var notifications: [JSONRPCRequest] { state.withLock { $0.notifications } }

    /// Disconnects the client: later notifications are dropped, and handlers that watch the
    /// connection see it closed.
    public func close() {
        state.withLock { $0.isOpen = false }
    }
}

extension InMemoryJSONRPCConnection: JSONRPCConnectionEndpoint {
    var isOpen: Bool { state.withLock { $0.isOpen } }

    func send(_ message: JSONValue) {
        guard case .request(let notification) = JSONRPCRequest.validate(message) else { return }
        if let forward {
            if isOpen { forward(notification) }
            return
        }
        state.withLock { state in
            if state.isOpen { state.notifications.append(notification) }
        }
    }
}

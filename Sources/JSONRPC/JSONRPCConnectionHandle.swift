import JSON

/// A client connection, as handlers see it: a way to send that client notifications while
/// it stays connected.
public struct JSONRPCConnectionHandle: Sendable, Hashable {
    private let connection: any JSONRPCConnectionEndpoint

    init(_ connection: any JSONRPCConnectionEndpoint) {
        self.connection = connection
    }

    /// Whether the client is still connected (and the server still serving it).
    public var isOpen: Bool { connection.isOpen }

    /// Who the client is.
    public var caller: JSONRPCCaller { connection.caller }

    /// Sends the client a notification; dropped silently if the client has gone.
    public func notify(method: String, params: JSONValue? = nil) {
        connection.send(JSONRPCRequest.notification(method: method, params: params).jsonValue)
    }

    /// Handles are equal when they designate the same connection.
    public static func == (lhs: JSONRPCConnectionHandle, rhs: JSONRPCConnectionHandle) -> Bool {
        lhs.connection === rhs.connection
    }

    /// Hashes the connection's identity.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(connection))
    }
}

/// The server's side of one client connection, where a handle sends: a Unix socket's
/// ``ServerConnection``, or an ``InMemoryJSONRPCConnection``.
protocol JSONRPCConnectionEndpoint: AnyObject, Sendable {
    /// Whether messages still reach the client.
    var isOpen: Bool { get }
    /// Who the client is.
    var caller: JSONRPCCaller { get }
    /// Sends the client one message; dropped if it has gone.
    func send(_ message: JSONValue)
}

extension ServerConnection: JSONRPCConnectionEndpoint {
    var caller: JSONRPCCaller { .process(socket.peer) }
}

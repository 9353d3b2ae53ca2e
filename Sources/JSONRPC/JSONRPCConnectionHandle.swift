import JSON

/// A client connection of a ``JSONRPCServer``, as handlers see it: a way to send that
/// client notifications while it stays connected.
public struct JSONRPCConnectionHandle: Sendable, Hashable {
    private let connection: ServerConnection

    init(_ connection: ServerConnection) {
        self.connection = connection
    }

    /// Whether the client is still connected (and the server still serving it).
    public var isOpen: Bool { connection.isOpen }

    /// The connected process's credentials.
    public var peer: PeerCredentials { connection.socket.peer }

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

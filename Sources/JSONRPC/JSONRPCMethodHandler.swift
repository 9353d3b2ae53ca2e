import JSON

/// What a ``JSONRPCServer`` calls for each request and notification it receives.
public protocol JSONRPCMethodHandler: Sendable {
    /// Handles one request or notification; the result is ignored for notifications.
    ///
    /// Runs in a task of its own, concurrently with the other requests of the same
    /// connection. The task is cancelled when the client disconnects or the server shuts
    /// down: long work should check for cancellation. Throw
    /// ``JSONRPCError/methodNotFound(_:)`` for a method it does not know.
    func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue
}

/// One request or notification, as a ``JSONRPCMethodHandler`` receives it.
public struct JSONRPCCall: Sendable {
    /// The method name.
    public let method: String
    /// The parameters, an object or an array as sent; `nil` if absent.
    public let params: JSONValue?
    /// Whether the caller wants no response.
    public let isNotification: Bool
    /// Who called.
    public let caller: JSONRPCCaller
    /// The connection the call came on, to send the client notifications.
    public let connection: JSONRPCConnectionHandle

    /// A call as given; servers build these, tests of handlers may too.
    public init(method: String, params: JSONValue?, isNotification: Bool, caller: JSONRPCCaller,
                connection: JSONRPCConnectionHandle) {
        self.method = method
        self.params = params
        self.isNotification = isNotification
        self.caller = caller
        self.connection = connection
    }
}

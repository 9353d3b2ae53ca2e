import JSON

/// A JSON-RPC 2.0 request or notification.
public struct JSONRPCRequest: Sendable, Equatable {
    /// The method name.
    public let method: String
    /// The parameters, an object or an array as sent; `nil` when absent.
    public let params: JSONValue?
    /// Whether the message had no `id` member: the sender wants no response.
    public let isNotification: Bool
    /// The id to answer with; `nil` for a notification and for a request that sent `"id": null`.
    public let id: JSONRPCID?

    /// A request that expects a response.
    public init(method: String, params: JSONValue? = nil, id: JSONRPCID) {
        self.init(method: method, params: params, isNotification: false, id: id)
    }

    /// A notification: no response is expected.
    public static func notification(method: String, params: JSONValue? = nil) -> JSONRPCRequest {
        JSONRPCRequest(method: method, params: params, isNotification: true, id: nil)
    }

    private init(method: String, params: JSONValue?, isNotification: Bool, id: JSONRPCID?) {
        self.method = method
        self.params = params
        self.isNotification = isNotification
        self.id = id
    }

    /// The JSON form of the message.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { members["params"] = params }
        if !isNotification { members["id"] = id.jsonValue }
        return .object(members)
    }

    /// Validates one message against every rule of JSON-RPC 2.0: an object with
    /// `"jsonrpc": "2.0"`, a string `method`, `params` (if present) an object or an array,
    /// `id` (if present) a string, an integer or null. Unknown members are ignored.
    ///
    /// - Returns: the request, or the error response to send (carrying the message's id
    ///   when that id itself was valid, `null` otherwise), which is sent even when the
    ///   invalid message had no `id`.
    public static func validate(_ value: JSONValue) -> JSONRPCInboundEntry {
        guard case .object(let members) = value else {
            return .invalid(JSONRPCResponse(id: nil, error: .invalidRequest("a request must be an object, not \(value.typeDescription)")))
        }
        let isNotification = members["id"] == nil
        var id: JSONRPCID?
        if let idValue = members["id"], idValue != .null {
            guard let validID = JSONRPCID(idValue) else {
                return .invalid(JSONRPCResponse(id: nil, error: .invalidRequest(
                    "\"id\" must be a string, an integer or null, not \(idValue.typeDescription) \(idValue.serialized())")))
            }
            id = validID
        }
        func reject(_ reason: String) -> JSONRPCInboundEntry {
            .invalid(JSONRPCResponse(id: id, error: .invalidRequest(reason)))
        }
        guard let version = members["jsonrpc"] else { return reject("\"jsonrpc\": \"2.0\" is missing") }
        guard version == "2.0" else { return reject("\"jsonrpc\" must be \"2.0\", not \(version.serialized())") }
        guard let methodValue = members["method"] else { return reject("\"method\" is missing") }
        guard let method = methodValue.stringValue else {
            return reject("\"method\" must be a string, not \(methodValue.typeDescription)")
        }
        let params = members["params"]
        switch params {
        case nil, .object?, .array?: break
        case let other?: return reject("\"params\" must be an object or an array, not \(other.typeDescription)")
        }
        return .request(JSONRPCRequest(method: method, params: params, isNotification: isNotification, id: id))
    }
}

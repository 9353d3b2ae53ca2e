import JSON

/// A JSON-RPC 2.0 response: a result or an error, for the request with `id`.
public struct JSONRPCResponse: Sendable, Equatable {
    /// The request's id; `nil` (sent as `null`) when it could not be read.
    public let id: JSONRPCID?
    /// The result, or the error.
    public let outcome: Result<JSONValue, JSONRPCError>

    /// A response with `outcome`.
    public init(id: JSONRPCID?, outcome: Result<JSONValue, JSONRPCError>) {
        self.id = id
        self.outcome = outcome
    }

    /// A success response.
    public init(id: JSONRPCID?, result: JSONValue) {
        self.init(id: id, outcome: .success(result))
    }

    /// An error response.
    public init(id: JSONRPCID?, error: JSONRPCError) {
        self.init(id: id, outcome: .failure(error))
    }

    /// The JSON form of the response.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "id": id.jsonValue]
        switch outcome {
        case .success(let result): members["result"] = result
        case .failure(let error): members["error"] = error.jsonValue
        }
        return .object(members)
    }

    /// Reads a response; `nil` when `value` is not a JSON-RPC 2.0 response object (an object
    /// with `"jsonrpc": "2.0"`, an `id`, and exactly one of `result` and a valid `error`).
    public init?(_ value: JSONValue) {
        guard value["jsonrpc"] == "2.0", let idValue = value["id"] else { return nil }
        let id = JSONRPCID(idValue)
        guard id != nil || idValue == .null else { return nil }
        switch (value["result"], value["error"]) {
        case (let result?, nil):
            self.init(id: id, result: result)
        case (nil, let errorValue?):
            guard let error = JSONRPCError(errorValue) else { return nil }
            self.init(id: id, error: error)
        default:
            return nil
        }
    }
}

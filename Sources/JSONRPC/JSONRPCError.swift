import JSON

/// A JSON-RPC 2.0 error object: what a failed request is answered with.
///
/// Every error made here carries `data.kind`, a stable string a program can switch on
/// (`parse_error`, `invalid_request`, `method_not_found`, `invalid_params`, `internal`, and
/// the domain kinds of docs/PROTOCOL.md, built with ``init(code:kind:message:extra:)``).
public struct JSONRPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error code: -32700...-32600 for the standard errors, -32099...-32000 for the server's own (JSON-RPC's implementation-defined range).
    public let code: Int
    /// A sentence for people.
    public let message: String
    /// Structured details; an object with at least `kind` for errors built by this module.
    public let data: JSONValue?

    /// Creates an error object exactly as given.
    public init(code: Int, message: String, data: JSONValue?) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// Creates an error whose `data` is `extra` plus `kind` (which wins over an `extra["kind"]`).
    public init(code: Int, kind: String, message: String, extra: [String: JSONValue] = [:]) {
        var data = extra
        data["kind"] = .string(kind)
        self.init(code: code, message: message, data: .object(data))
    }

    /// `data.kind`, when present.
    public var kind: String? { data?["kind"]?.stringValue }

    /// "message (code N)".
    public var description: String { "\(message) (code \(code))" }

    /// The JSON form of the error object.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    /// Reads an error object; `nil` when `value` lacks an integer `code` or a string `message`.
    public init?(_ value: JSONValue) {
        guard let code = value["code"]?.int64Value, let message = value["message"]?.stringValue,
              let code = Int(exactly: code) else { return nil }
        self.init(code: code, message: message, data: value["data"])
    }
}

extension JSONRPCError {
    /// The standard codes of JSON-RPC 2.0.
    public enum StandardCode {
        /// -32700: the text is not JSON.
        public static let parseError = -32700
        /// -32600: the JSON is not a valid request.
        public static let invalidRequest = -32600
        /// -32601: no such method.
        public static let methodNotFound = -32601
        /// -32602: invalid method parameters.
        public static let invalidParams = -32602
        /// -32603: an internal error.
        public static let internalError = -32603
    }

    /// -32700 `parse_error`: the line is not JSON; `detail` says where and why.
    public static func parseError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: StandardCode.parseError, kind: "parse_error", message: "parse error: \(detail)")
    }

    /// -32600 `invalid_request`: not a JSON-RPC 2.0 request; `reason` says which rule it broke.
    public static func invalidRequest(_ reason: String) -> JSONRPCError {
        JSONRPCError(code: StandardCode.invalidRequest, kind: "invalid_request", message: "invalid request: \(reason)")
    }

    /// -32601 `method_not_found`, naming the method.
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: StandardCode.methodNotFound, kind: "method_not_found",
                     message: "method not found: \(JSONValue.string(method).serialized())")
    }

    /// -32602 `invalid_params`; `message` names the parameter and what was expected, and
    /// `extra` members of `data` may say it for programs (the parameter, its bound).
    public static func invalidParams(_ message: String, extra: [String: JSONValue] = [:]) -> JSONRPCError {
        JSONRPCError(code: StandardCode.invalidParams, kind: "invalid_params", message: "invalid params: \(message)",
                     extra: extra)
    }

    /// -32603 `internal`: a bug or an I/O failure; `message` says which.
    public static func internalError(_ message: String) -> JSONRPCError {
        JSONRPCError(code: StandardCode.internalError, kind: "internal", message: "internal error: \(message)")
    }
}

import JSON

/// Named parameters of a call, read with errors that name the parameter and what was
/// expected, for handlers:
///
/// ```swift
/// let params = JSONRPCParams(call.params)
/// let skill = try params.required("skill", as: String.self)
/// let timeout = try params.optional("timeout_ms", as: Int64.self)
/// ```
public struct JSONRPCParams: Sendable {
    /// The parameters as sent.
    public let value: JSONValue?

    /// Parameters as a call carries them (`nil` when absent, which reads as no parameters).
    public init(_ params: JSONValue?) {
        value = params
    }

    /// The parameter `name`, which must be present, not null, and of type `T`.
    /// - Throws: `invalid_params` naming the parameter and the expected type.
    public func required<T: JSONRPCParameterValue>(_ name: String, as type: T.Type = T.self) throws(JSONRPCError) -> T {
        guard let parameter = try optional(name, as: type) else {
            throw .invalidParams("the parameter \(Self.quoted(name)) is required (\(T.expectedJSON))")
        }
        return parameter
    }

    /// The parameter `name` if present and not null; it must be of type `T`.
    /// - Throws: `invalid_params` naming the parameter and the expected type.
    public func optional<T: JSONRPCParameterValue>(_ name: String, as type: T.Type = T.self) throws(JSONRPCError) -> T? {
        guard let raw = try members()[name], raw != .null else { return nil }
        guard let parameter = T(jsonParameter: raw) else {
            throw .invalidParams("the parameter \(Self.quoted(name)) must be \(T.expectedJSON), not \(raw.typeDescription)")
        }
        return parameter
    }

    /// Refuses parameters other than `names`, so a misspelt optional parameter is not
    /// silently ignored.
    /// - Throws: `invalid_params` naming the unknown parameter and the known ones.
    public func allowOnly(_ names: Set<String>) throws(JSONRPCError) {
        let unknown = try members().keys.filter { !names.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let known = names.sorted().map(Self.quoted).joined(separator: ", ")
        throw .invalidParams("unknown parameter \(Self.quoted(first)); this method takes \(known.isEmpty ? "none" : known)")
    }

    private func members() throws(JSONRPCError) -> [String: JSONValue] {
        switch value {
        case nil: return [:]
        case .object(let members)?: return members
        case let other?: throw .invalidParams("params must be an object of named parameters, not \(other.typeDescription)")
        }
    }

    private static func quoted(_ name: String) -> String { JSONValue.string(name).serialized() }
}

/// A type a JSON-RPC parameter can be read as.
public protocol JSONRPCParameterValue: Sendable {
    /// The value, or `nil` when `jsonParameter` is not of this type.
    init?(jsonParameter: JSONValue)
    /// The JSON this type reads, in words, for error messages: "a string".
    static var expectedJSON: String { get }
}

extension String: JSONRPCParameterValue {
    /// Reads a JSON string.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.stringValue else { return nil }
        self = value
    }
    /// "a string".
    public static var expectedJSON: String { "a string" }
}

extension Int64: JSONRPCParameterValue {
    /// Reads an integer (a number with no fractional part).
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.int64Value else { return nil }
        self = value
    }
    /// "an integer".
    public static var expectedJSON: String { "an integer" }
}

extension Int: JSONRPCParameterValue {
    /// Reads an integer that fits in `Int`.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.int64Value.flatMap({ Int(exactly: $0) }) else { return nil }
        self = value
    }
    /// "an integer".
    public static var expectedJSON: String { "an integer" }
}

extension Double: JSONRPCParameterValue {
    /// Reads any number.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.doubleValue else { return nil }
        self = value
    }
    /// "a number".
    public static var expectedJSON: String { "a number" }
}

extension Bool: JSONRPCParameterValue {
    /// Reads `true` or `false`.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.boolValue else { return nil }
        self = value
    }
    /// "a boolean".
    public static var expectedJSON: String { "a boolean" }
}

extension JSONValue: JSONRPCParameterValue {
    /// Reads any JSON value.
    public init?(jsonParameter: JSONValue) {
        self = jsonParameter
    }
    /// "any JSON value".
    public static var expectedJSON: String { "any JSON value" }
}

extension Array: JSONRPCParameterValue where Element == JSONValue {
    /// Reads an array.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.arrayValue else { return nil }
        self = value
    }
    /// "an array".
    public static var expectedJSON: String { "an array" }
}

extension Dictionary: JSONRPCParameterValue where Key == String, Value == JSONValue {
    /// Reads an object.
    public init?(jsonParameter: JSONValue) {
        guard let value = jsonParameter.objectValue else { return nil }
        self = value
    }
    /// "an object".
    public static var expectedJSON: String { "an object" }
}

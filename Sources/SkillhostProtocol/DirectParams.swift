import JSON
import JSONRPC

/// The params of a call read without the Codable machinery, for `skills.run`, which every
/// run goes through: the same checks, in the same order, and the same `invalid_params`
/// messages as ``SkillhostRequest/decodeParams(_:)``'s default (a missing parameter, one of
/// the wrong type, then an unknown one), with the names of the request's own `CodingKeys`.
/// `DirectParamsTests` holds the two to the same answers.
struct DirectParams<Key: CodingKey & CaseIterable & RawRepresentable> where Key.RawValue == String {
    private let members: [String: JSONValue]

    /// The params of a call, which must be an object (absent params read as none).
    init(_ params: JSONValue?) throws(JSONRPCError) {
        let value = params ?? .object([:])
        guard case .object(let members) = value else {
            throw .invalidParams("params must be an object of named parameters, not \(value.typeDescription)")
        }
        self.members = members
    }

    /// The parameter `key`, which must be present and not null.
    func required<Value: JSONRPCParameterValue>(_ key: Key, as type: Value.Type = Value.self) throws(JSONRPCError) -> Value {
        guard let value = members[key.rawValue], value != .null else {
            throw .invalidParams(JSONValueDecodingError.missing(path: key.rawValue, expected: Value.expectedJSON).description)
        }
        return try read(value, key, as: type)
    }

    /// The parameter `key`, or nil when it is absent or null.
    func optional<Value: JSONRPCParameterValue>(_ key: Key, as type: Value.Type = Value.self) throws(JSONRPCError) -> Value? {
        guard let value = members[key.rawValue], value != .null else { return nil }
        return try read(value, key, as: type)
    }

    /// Refuses a parameter that is none of `Key`'s, naming the first in order.
    func refuseUnknown() throws(JSONRPCError) {
        let known = Set(Key.allCases.map(\.rawValue))
        let unknown = members.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw .invalidParams(
            JSONValueDecodingError.unknownMembers(path: "", unknown: unknown, known: known.sorted()).description)
    }

    private func read<Value: JSONRPCParameterValue>(_ value: JSONValue, _ key: Key, as type: Value.Type) throws(JSONRPCError) -> Value {
        guard let read = Value(jsonParameter: value) else {
            throw .invalidParams(JSONValueDecodingError.typeMismatch(
                path: key.rawValue, expected: Value.expectedJSON, found: value.typeDescription).description)
        }
        return read
    }
}

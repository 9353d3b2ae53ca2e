import JSON
/// Encodes `Encodable` types as a ``JSONValue`` without going through text: the params of
/// a request, the result of a call.
///
/// A member typed ``JSONValue`` is taken as it is; integers become ``JSONValue/int(_:)``
/// (an unsigned one above `Int64.max` is an error), floating-point numbers
/// ``JSONValue/double(_:)``. Object members appear in the order JSON serialization gives
/// them (sorted).
public struct JSONValueEncoder: Sendable {
    /// What encoding does with an optional member that is `nil`.
    public enum NilMembers: Sendable {
        /// Leave the member out: for request params, where absent means "the default".
        case omit
        /// Write `null`: for results, whose members are always there.
        case null
    }

    /// What encoding does with `nil` optional members.
    public var nilMembers: NilMembers

    /// An encoder that writes `nil` members as `nilMembers` says.
    public init(nilMembers: NilMembers) {
        self.nilMembers = nilMembers
    }

    /// `value` as JSON.
    /// - Throws: ``JSONValueEncodingError`` when a value has no JSON spelling.
    public func encode(_ value: some Encodable) throws(JSONValueEncodingError) -> JSONValue {
        do {
            return try encodeValue(value, at: [])
        } catch let error as JSONValueEncodingError {
            throw error
        } catch {
            throw JSONValueEncodingError(path: "", reason: "\(error)")
        }
    }

    fileprivate func encodeValue(_ value: some Encodable, at path: [any CodingKey]) throws -> JSONValue {
        if let common = Self.encodeCommon(value) { return common }
        let encoder = ValueEncoder(codingPath: path, options: self)
        try value.encode(to: encoder)
        return encoder.storage.value ?? .object([:])
    }
}

extension JSONValueEncoder {
    /// `value` as JSON when its type is one that nearly every member has, found by comparing
    /// metatypes (a pointer compare); nil for any other type. Results are encoded on every
    /// call, and a cast to a protocol (`any FixedWidthInteger`) searches the conformance
    /// tables: this keeps those casts off the path of `skills.run`.
    fileprivate static func encodeCommon<Value>(_ value: Value) -> JSONValue? {
        if Value.self == JSONValue.self { return (value as! JSONValue) }
        if Value.self == String.self { return .string(value as! String) }
        if Value.self == Int64.self { return .int(value as! Int64) }
        if Value.self == Int.self { return .int(Int64(value as! Int)) }
        if Value.self == Bool.self { return .bool(value as! Bool) }
        if Value.self == Double.self { return .double(value as! Double) }
        return nil
    }
}

/// Why a value could not be encoded as JSON, and where.
public struct JSONValueEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member's path (`items[3].name`; empty for the top level).
    public let path: String
    /// What was wrong.
    public let reason: String

    /// "cannot encode items[3]: ...".
    public var description: String { "cannot encode \(path.isEmpty ? "the value" : path): \(reason)" }
}

/// Where an encoder puts what it encodes: one value, an object or an array being built.
private final class Storage {
    enum Content {
        case empty
        case value(JSONValue)
        case object([String: Storage])
        case array([Storage])
    }

    var content = Content.empty

    var value: JSONValue? {
        switch content {
        case .empty: nil
        case .value(let value): value
        case .object(let members): .object(members.compactMapValues(\.value))
        case .array(let elements): .array(elements.map { $0.value ?? .null })
        }
    }

    // The collection is taken out of `content` before it grows, so that it is uniquely
    // referenced and grows in place, instead of being copied for every member.

    func member(_ key: String) -> Storage {
        var members: [String: Storage] = [:]
        if case .object(let existing) = content { members = existing }
        content = .empty
        let child = Storage()
        members[key] = child
        content = .object(members)
        return child
    }

    func appendElement() -> Storage {
        var elements: [Storage] = []
        if case .array(let existing) = content { elements = existing }
        content = .empty
        let child = Storage()
        elements.append(child)
        content = .array(elements)
        return child
    }

    func beginObject() {
        if case .object = content { return }
        content = .object([:])
    }

    func beginArray() {
        if case .array = content { return }
        content = .array([])
    }
}

private struct ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    let options: JSONValueEncoder
    let storage: Storage

    init(codingPath: [any CodingKey], options: JSONValueEncoder, storage: Storage = Storage()) {
        self.codingPath = codingPath
        self.options = options
        self.storage = storage
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        storage.beginObject()
        return KeyedEncodingContainer(ObjectContainer(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        storage.beginArray()
        return ArrayContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    /// `value` as JSON, at `path`.
    func json<Value: Encodable>(_ value: Value, at path: [any CodingKey]) throws -> JSONValue {
        if let common = JSONValueEncoder.encodeCommon(value) { return common }
        switch value {
        case let value as Bool: return .bool(value)
        case let value as String: return .string(value)
        case let value as Double: return .double(value)
        case let value as Float: return .double(Double(value))
        case let value as any FixedWidthInteger:
            guard let integer = Int64(exactly: value) else {
                throw JSONValueEncodingError(path: JSONCodingPath.text(path), reason: "\(value) does not fit in 64 bits")
            }
            return .int(integer)
        default:
            return try options.encodeValue(value, at: path)
        }
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.storage.member(key.stringValue).content = .value(.null)
    }

    mutating func encode(_ value: some Encodable, forKey key: Key) throws { try member(value, forKey: key) }

    mutating func encodeIfPresent(_ value: (some Encodable)?, forKey key: Key) throws { try optionalMember(value, forKey: key) }

    mutating func encode(_ value: Bool, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try member(value, forKey: key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(value, forKey: key) }

    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try optionalMember(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try optionalMember(value, forKey: key) }

    private mutating func member(_ value: some Encodable, forKey key: Key) throws {
        let json = try encoder.json(value, at: codingPath + [key])
        encoder.storage.member(key.stringValue).content = .value(json)
    }

    private mutating func optionalMember(_ value: (some Encodable)?, forKey key: Key) throws {
        if let value {
            try member(value, forKey: key)
        } else if encoder.options.nilMembers == .null {
            try encodeNil(forKey: key)
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        child(forKey: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        child(forKey: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { encoder }

    mutating func superEncoder(forKey key: Key) -> any Encoder { child(forKey: key) }

    private func child(forKey key: Key) -> ValueEncoder {
        ValueEncoder(codingPath: codingPath + [key], options: encoder.options, storage: encoder.storage.member(key.stringValue))
    }
}

private struct ArrayContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    private(set) var count = 0

    init(encoder: ValueEncoder) {
        self.encoder = encoder
    }

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { nextElement().content = .value(.null) }

    mutating func encode(_ value: some Encodable) throws { try element(value) }

    mutating func encode(_ value: Bool) throws { try element(value) }
    mutating func encode(_ value: String) throws { try element(value) }
    mutating func encode(_ value: Double) throws { try element(value) }
    mutating func encode(_ value: Float) throws { try element(value) }
    mutating func encode(_ value: Int) throws { try element(value) }
    mutating func encode(_ value: Int8) throws { try element(value) }
    mutating func encode(_ value: Int16) throws { try element(value) }
    mutating func encode(_ value: Int32) throws { try element(value) }
    mutating func encode(_ value: Int64) throws { try element(value) }
    mutating func encode(_ value: UInt) throws { try element(value) }
    mutating func encode(_ value: UInt8) throws { try element(value) }
    mutating func encode(_ value: UInt16) throws { try element(value) }
    mutating func encode(_ value: UInt32) throws { try element(value) }
    mutating func encode(_ value: UInt64) throws { try element(value) }

    private mutating func element(_ value: some Encodable) throws {
        let json = try encoder.json(value, at: codingPath + [IndexKey(count)])
        nextElement().content = .value(json)
    }

    private mutating func nextElement() -> Storage {
        count += 1
        return encoder.storage.appendElement()
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        child().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { child().unkeyedContainer() }

    mutating func superEncoder() -> any Encoder { child() }

    private mutating func child() -> ValueEncoder {
        let path = codingPath + [IndexKey(count)]
        return ValueEncoder(codingPath: path, options: encoder.options, storage: nextElement())
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.storage.content = .value(.null) }

    mutating func encode(_ value: some Encodable) throws { try store(value) }

    mutating func encode(_ value: Bool) throws { try store(value) }
    mutating func encode(_ value: String) throws { try store(value) }
    mutating func encode(_ value: Double) throws { try store(value) }
    mutating func encode(_ value: Float) throws { try store(value) }
    mutating func encode(_ value: Int) throws { try store(value) }
    mutating func encode(_ value: Int8) throws { try store(value) }
    mutating func encode(_ value: Int16) throws { try store(value) }
    mutating func encode(_ value: Int32) throws { try store(value) }
    mutating func encode(_ value: Int64) throws { try store(value) }
    mutating func encode(_ value: UInt) throws { try store(value) }
    mutating func encode(_ value: UInt8) throws { try store(value) }
    mutating func encode(_ value: UInt16) throws { try store(value) }
    mutating func encode(_ value: UInt32) throws { try store(value) }
    mutating func encode(_ value: UInt64) throws { try store(value) }

    private mutating func store(_ value: some Encodable) throws {
        encoder.storage.content = .value(try encoder.json(value, at: codingPath))
    }
}

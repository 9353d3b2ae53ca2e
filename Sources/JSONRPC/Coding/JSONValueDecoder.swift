import JSON
/// Decodes `Decodable` types from a ``JSONValue`` without going through text: the params
/// of a request, the result of a call.
///
/// A member typed ``JSONValue`` receives the value as it is. Integers are read exactly (a
/// number with a fraction is not an integer), and null reads as absent, so an optional
/// member that is null decodes as `nil`. With ``UnknownMembers/refuse``, a member of an
/// object that the type does not read is an error naming it: a misspelt optional
/// parameter is not silently ignored.
public struct JSONValueDecoder: Sendable {
    /// What decoding does with object members the type does not read.
    public enum UnknownMembers: Sendable {
        /// Throw ``JSONValueDecodingError/unknownMembers(path:unknown:known:)``: for what a
        /// peer asks (request params).
        case refuse
        /// Skip them: for what a peer answers, which a newer peer may extend.
        case ignore
    }

    /// What decoding does with members the type does not read.
    public var unknownMembers: UnknownMembers

    /// A decoder that treats unknown members as `unknownMembers` says.
    public init(unknownMembers: UnknownMembers) {
        self.unknownMembers = unknownMembers
    }

    /// `value` decoded as `type`.
    /// - Throws: the first member that is missing, of the wrong type, or unknown.
    public func decode<Value: Decodable>(_ type: Value.Type, from value: JSONValue) throws(JSONValueDecodingError) -> Value {
        let ledger = MemberLedger()
        let decoded: Value
        do {
            decoded = try ValueDecoder(value: value, codingPath: [], ledger: ledger).decodeValue(type)
        } catch let error as JSONValueDecodingError {
            throw error
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalidValue(path: JSONCodingPath.text(context.codingPath), reason: context.debugDescription)
        } catch {
            throw .invalidValue(path: "", reason: "cannot be read: \(error)")
        }
        if unknownMembers == .refuse { try ledger.checkEveryMemberWasRead() }
        return decoded
    }
}

/// The objects decoded so far and the members read of each, to find the unknown ones.
private final class MemberLedger {
    final class Object {
        let path: [any CodingKey]
        let members: [String: JSONValue]
        var read: Set<String> = []

        init(path: [any CodingKey], members: [String: JSONValue]) {
            self.path = path
            self.members = members
        }
    }

    private var objects: [Object] = []

    func open(_ members: [String: JSONValue], at path: [any CodingKey]) -> Object {
        let object = Object(path: path, members: members)
        objects.append(object)
        return object
    }

    func checkEveryMemberWasRead() throws(JSONValueDecodingError) {
        for object in objects {
            let unknown = object.members.keys.filter { !object.read.contains($0) }.sorted()
            guard !unknown.isEmpty else { continue }
            throw .unknownMembers(path: JSONCodingPath.text(object.path), unknown: unknown, known: object.read.sorted())
        }
    }
}

/// Coding paths as the errors show them: `items[3].name`.
enum JSONCodingPath {
    static func text(_ path: [any CodingKey]) -> String {
        path.reduce(into: "") { text, key in
            if let index = key.intValue, key.stringValue.isEmpty || key is IndexKey {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
    }
}

/// The key of an array element.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// Marks arrays, for the "an array" of error messages.
private protocol JSONArrayDecodable {}
extension Array: JSONArrayDecodable {}

/// The JSON a type reads, in words: "a string", "an integer", "an object".
private func expectedJSON(for type: Any.Type) -> String {
    if let parameter = type as? any JSONRPCParameterValue.Type { return parameter.expectedJSON }
    if type is any JSONArrayDecodable.Type { return "an array" }
    if type is any FixedWidthInteger.Type { return "an integer" }
    if type is any BinaryFloatingPoint.Type { return "a number" }
    return "an object"
}

/// One value being decoded, at `codingPath`.
private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let ledger: MemberLedger
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func decodeValue<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if let common = try decodeCommon(type) { return common }
        if let parameter = type as? any JSONRPCParameterValue.Type {
            guard let decoded = parameter.init(jsonParameter: value) else { throw mismatch(type) }
            return decoded as! Value
        }
        if let integer = type as? any FixedWidthInteger.Type {
            guard let whole = value.int64Value, let decoded = integer.init(exactly: whole) else {
                throw value.int64Value == nil ? mismatch(type)
                    : JSONValueDecodingError.invalidValue(path: path, reason: "is out of range: \(value.serialized())")
            }
            return decoded as! Value
        }
        if type == Float.self {
            guard let number = value.doubleValue else { throw mismatch(type) }
            return Float(number) as! Value
        }
        return try Value(from: self)
    }

    /// The value as one of the types nearly every member has, when it is one, found by
    /// comparing metatypes (a pointer compare); nil otherwise, and for a value of another
    /// JSON type, which the general path below refuses with its message. Params are decoded
    /// on every call, and the casts to protocols below search the conformance tables: this
    /// keeps them off the path of `skills.run`.
    private func decodeCommon<Value>(_ type: Value.Type) throws -> Value? {
        if type == JSONValue.self { return (value as! Value) }
        switch value {
        case let .string(text) where type == String.self: return (text as! Value)
        case let .bool(flag) where type == Bool.self: return (flag as! Value)
        case let .int(number) where type == Int64.self: return (number as! Value)
        case let .int(number) where type == Int.self: return Int(exactly: number).map { $0 as! Value }
        case let .double(number) where type == Double.self: return (number as! Value)
        case let .int(number) where type == Double.self: return (Double(number) as! Value)
        default: return nil
        }
    }

    var path: String { JSONCodingPath.text(codingPath) }

    func mismatch(_ type: Any.Type) -> JSONValueDecodingError {
        .typeMismatch(path: path, expected: expectedJSON(for: type), found: value.typeDescription)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self) }
        return KeyedDecodingContainer(ObjectContainer(object: ledger.open(members, at: codingPath), decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw mismatch([JSONValue].self) }
        return ArrayContainer(elements: elements, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ value: JSONValue, key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: codingPath + [key], ledger: ledger)
    }
}

private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: MemberLedger.Object
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { object.members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        object.read.insert(key.stringValue)
        return object.members[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        object.read.insert(key.stringValue)
        return (object.members[key.stringValue] ?? .null) == .null
    }

    func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        try member(type, forKey: key)
    }

    private func member<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
        object.read.insert(key.stringValue)
        guard let member = object.members[key.stringValue], member != .null else {
            throw JSONValueDecodingError.missing(
                path: JSONCodingPath.text(codingPath + [key]), expected: expectedJSON(for: type))
        }
        return try decoder.child(member, key: key).decodeValue(type)
    }

    func decodeIfPresent<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        object.read.insert(key.stringValue)
        guard let member = object.members[key.stringValue], member != .null else { return nil }
        return try decoder.child(member, key: key).decodeValue(type)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try member(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try member(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try member(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try member(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try member(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try member(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try member(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try member(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try member(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try member(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try member(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try member(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try member(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try member(type, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        object.read.insert(key.stringValue)
        return try decoder.child(object.members[key.stringValue] ?? .null, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        object.read.insert(key.stringValue)
        return try decoder.child(object.members[key.stringValue] ?? .null, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        object.read.insert(key.stringValue)
        return decoder.child(object.members[key.stringValue] ?? .null, key: key)
    }
}

private struct ArrayContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: ValueDecoder
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: ValueDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> ValueDecoder {
        let key = IndexKey(currentIndex)
        guard !isAtEnd else {
            throw JSONValueDecodingError.missing(path: JSONCodingPath.text(codingPath + [key]), expected: "another element")
        }
        defer { currentIndex += 1 }
        return decoder.child(elements[currentIndex], key: key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try element(type) }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try element(type) }
    mutating func decode(_ type: String.Type) throws -> String { try element(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try element(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try element(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try element(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try element(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try element(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try element(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try element(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try element(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try element(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try element(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try element(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try element(type) }

    private mutating func element<Value: Decodable>(_ type: Value.Type) throws -> Value {
        let element = try next()
        guard element.value != .null else {
            throw JSONValueDecodingError.missing(path: element.path, expected: expectedJSON(for: type))
        }
        return try element.decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next() }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try decoder.decodeValue(type) }

    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeValue(type) }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeValue(type) }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeValue(type) }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeValue(type) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeValue(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeValue(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeValue(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeValue(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeValue(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeValue(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeValue(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeValue(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeValue(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeValue(type) }
}

/// The header fields of a request or a response, in the order they came, with names
/// compared without regard to ASCII case.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One field: its name as written and its value without surrounding whitespace.
    public struct Field: Sendable, Equatable {
        /// The name as it was written, such as "Content-Type".
        public let name: String
        /// The value, without the whitespace around it.
        public let value: String
    }

    private var fields: [Field]

    /// The fields `fields`, in this order.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields.map { Field(name: $0.name, value: $0.value) }
    }

    /// The fields of the literal, in its order.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// How many fields there are.
    public var count: Int { fields.count }

    /// The value of the first field named `name`; nil when there is none.
    public subscript(name: String) -> String? {
        fields.first { Self.namesMatch($0.name, name) }?.value
    }

    /// The values of every field named `name`, in order.
    public func values(named name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// The comma-separated elements of every field named `name`, trimmed and lowercased:
    /// `Connection: close, Upgrade` gives `["close", "upgrade"]`.
    public func tokens(named name: String) -> [String] {
        values(named: name).flatMap { $0.split(separator: ",") }
            .map { $0.trimmingASCIIWhitespace().lowercasedASCII() }
            .filter { !$0.isEmpty }
    }

    /// Adds a field after the others.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name`.
    public mutating func remove(named name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// The fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    static func namesMatch(_ first: String, _ second: String) -> Bool {
        first.utf8.count == second.utf8.count && first.lowercasedASCII() == second.lowercasedASCII()
    }
}

extension StringProtocol {
    /// The string with ASCII letters lowercased and everything else left alone, as HTTP's
    /// case-insensitive tokens compare.
    func lowercasedASCII() -> String {
        String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// The string without spaces and tabs at either end.
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

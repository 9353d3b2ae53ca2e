/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Strict means: exactly one value, surrounded only by JSON whitespace; no comments,
/// trailing commas, leading zeros, `NaN` or single quotes; strings must be valid UTF-8
/// with every control character escaped and every `\u` surrogate paired; numbers must fit
/// a `Double`; an object must not repeat a key (parsers disagree on which copy wins, so
/// such input is refused rather than guessed at); nesting deeper than `maximumDepth`
/// arrays and objects is refused, so hostile input cannot exhaust the stack.
struct JSONParser {
    private let bytes: [UInt8]
    private let maximumDepth: Int
    private var offset = 0

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Parses `bytes` as one JSON text.
    static func parse(_ bytes: [UInt8], maximumDepth: Int) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else { throw parser.failure(expected: "the end of the input") }
        return value
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard let byte = peek() else { throw failure(expected: "a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try consumeLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try consumeLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try consumeLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw failure(expected: "a JSON value")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        offset += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure(expected: "a string key") }
            let keyOffset = offset
            let key = try parseString()
            skipWhitespace()
            try consume(UInt8(ascii: ":"), expected: "':' after an object key")
            let value = try parseValue(depth: depth)
            guard members.updateValue(value, forKey: key) == nil else {
                throw JSONParseError(offset: keyOffset, expected: "each object key once", found: "a second \(Self.quoted(key))")
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"): offset += 1; return .object(members)
            default: throw failure(expected: "',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"): offset += 1; return .array(elements)
            default: throw failure(expected: "',' or ']' in an array")
            }
        }
    }

    private func checkDepth(_ depth: Int) throws(JSONParseError) {
        guard depth <= maximumDepth else {
            throw failure(expected: "at most \(maximumDepth) nested arrays and objects")
        }
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = offset
        offset += 1
        // Fast path: no escapes, so the string is a slice of the input.
        var scan = offset
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                let text = try validatedString(bytes[offset..<scan], startingAt: start)
                offset = scan + 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            scan += 1
        }
        var buffer = Array(bytes[offset..<scan])
        offset = scan
        while true {
            guard let byte = peek() else { throw failure(expected: "'\"' to end the string") }
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                return try validatedString(buffer[...], startingAt: start)
            case UInt8(ascii: "\\"):
                offset += 1
                try parseEscape(into: &buffer)
            case 0..<0x20:
                throw failure(expected: "an escape sequence for a control character in a string")
            default:
                buffer.append(byte)
                offset += 1
            }
        }
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        guard let byte = peek() else { throw failure(expected: "an escape sequence") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeOffset = offset - 2
            let unit = try parseHexQuad()
            let scalar: Unicode.Scalar?
            switch unit {
            case 0xD800...0xDBFF:
                guard peek() == UInt8(ascii: "\\"), peek(at: offset + 1) == UInt8(ascii: "u") else {
                    throw JSONParseError(offset: escapeOffset, expected: "a low surrogate '\\uDC00'...'\\uDFFF' after a high surrogate",
                                         found: found(at: offset))
                }
                offset += 2
                let low = try parseHexQuad()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(offset: offset - 6, expected: "a low surrogate '\\uDC00'...'\\uDFFF' after a high surrogate",
                                         found: "'\\u\(Self.hex(low))'")
                }
                scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            case 0xDC00...0xDFFF:
                throw JSONParseError(offset: escapeOffset, expected: "a high surrogate before a low surrogate",
                                     found: "a lone '\\u\(Self.hex(unit))'")
            default:
                scalar = Unicode.Scalar(unit)
            }
            // Every value built above is a valid scalar: surrogates were excluded.
            buffer.append(contentsOf: String(Character(scalar!)).utf8)
        default:
            offset -= 1
            throw failure(expected: "one of '\"\\/bfnrtu' after '\\'")
        }
    }

    private mutating func parseHexQuad() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Self.hexDigitValue(byte) else {
                throw failure(expected: "four hexadecimal digits after '\\u'")
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    private func validatedString(_ utf8: ArraySlice<UInt8>, startingAt start: Int) throws(JSONParseError) -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw JSONParseError(offset: start, expected: "a string of valid UTF-8", found: "invalid UTF-8")
        }
        return text
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        guard let first = peek(), Self.isDigit(first) else { throw failure(expected: "a digit") }
        offset += 1
        if first == UInt8(ascii: "0"), let next = peek(), Self.isDigit(next) {
            throw failure(expected: "no leading zero in a number")
        }
        skipDigits()
        var isIntegral = true
        if peek() == UInt8(ascii: ".") {
            isIntegral = false
            offset += 1
            guard let digit = peek(), Self.isDigit(digit) else { throw failure(expected: "a digit after '.'") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isIntegral = false
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard let digit = peek(), Self.isDigit(digit) else { throw failure(expected: "a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isIntegral, let integer = Int64(text) { return .int(integer) }
        guard let number = Double(text), number.isFinite else {
            throw JSONParseError(offset: start, expected: "a number within the range of a 64-bit double", found: text)
        }
        return .double(number)
    }

    private mutating func skipDigits() {
        while let byte = peek(), Self.isDigit(byte) { offset += 1 }
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while let byte = peek(),
              byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t") {
            offset += 1
        }
    }

    private mutating func consume(_ byte: UInt8, expected: String) throws(JSONParseError) {
        guard peek() == byte else { throw failure(expected: expected) }
        offset += 1
    }

    private mutating func consumeLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = offset
        let literalBytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expectedByte in literalBytes {
            guard peek() == expectedByte else {
                throw JSONParseError(offset: start, expected: "'\(literal)'", found: found(at: start))
            }
            offset += 1
        }
    }

    private func peek() -> UInt8? { peek(at: offset) }

    private func peek(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func failure(expected: String) -> JSONParseError {
        JSONParseError(offset: offset, expected: expected, found: found(at: offset))
    }

    private func found(at index: Int) -> String {
        guard let byte = peek(at: index) else { return "the end of the input" }
        if (0x21...0x7E).contains(byte) { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(Self.hex(UInt32(byte), width: 2))"
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func hexDigitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func hex(_ value: UInt32, width: Int = 4) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private static func quoted(_ key: String) -> String {
        "key " + JSONValue.string(key).serialized()
    }
}

extension JSONValue {
    /// The deepest nesting of arrays and objects the parsers accept by default.
    public static let defaultMaximumDepth = 512

    /// Parses one JSON text from UTF-8 bytes.
    /// - Throws: ``JSONParseError`` with the byte offset and what was expected there.
    public init(parsing bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        self = try JSONParser.parse(bytes, maximumDepth: maximumDepth)
    }

    /// Parses one JSON text from UTF-8 bytes.
    public init(parsing bytes: some Sequence<UInt8>, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        self = try JSONParser.parse(Array(bytes), maximumDepth: maximumDepth)
    }

    /// Parses one JSON text.
    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        self = try JSONParser.parse(Array(text.utf8), maximumDepth: maximumDepth)
    }
}

/// Why a text is not valid JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The byte offset (from 0) in the input where parsing failed.
    public let offset: Int
    /// What the parser expected, or what rule the input broke ("':' after an object key").
    public let expected: String
    /// What it found instead ("'x'", "byte 0x01", "the end of the input").
    public let found: String

    /// Creates an error at `offset`.
    public init(offset: Int, expected: String, found: String) {
        self.offset = offset
        self.expected = expected
        self.found = found
    }

    /// "invalid JSON at byte 12: expected ',' or '}', found 'x'".
    public var description: String {
        "invalid JSON at byte \(offset): expected \(expected), found \(found)"
    }
}

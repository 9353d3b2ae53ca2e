import JSON
import Testing

@Suite("JSONValue parsing and serialization")
struct JSONValueTests {
    @Test("valid texts parse to the expected values", arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775807", .int(Int64.max)),
        ("9223372036854775808", .double(9223372036854775808)),
        ("1.5", .double(1.5)),
        ("-0.25e2", .double(-25)),
        ("1E3", .double(1000)),
        ("1e-2", .double(0.01)),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\"", .string("a\"b\\c/d")),
        ("\"\\b\\f\\n\\r\\t\"", .string("\u{8}\u{C}\n\r\t")),
        ("\"\\u00e9\\u4E2D\"", .string("é中")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"😀 raw\"", .string("😀 raw")),
        ("[]", .array([])),
        ("[1, \"two\", [3]]", .array([.int(1), .string("two"), .array([.int(3)])])),
        ("{}", .object([:])),
        ("{\"a\": {\"b\": null}, \"c\": [true]}", .object(["a": .object(["b": .null]), "c": .array([.bool(true)])])),
        (" \t\r\n[ 1 , 2 ]\n", .array([.int(1), .int(2)])),
    ] as [(String, JSONValue)])
    func parsesValid(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
    }

    @Test("invalid texts are refused, at the right byte", arguments: [
        ("", 0, "a JSON value"),
        ("   ", 3, "a JSON value"),
        ("nul", 0, "'null'"),
        ("True", 0, "a JSON value"),
        ("01", 1, "no leading zero in a number"),
        ("-", 1, "a digit"),
        ("1.", 2, "a digit after '.'"),
        (".5", 0, "a JSON value"),
        ("1e", 2, "a digit in the exponent"),
        ("+1", 0, "a JSON value"),
        ("NaN", 0, "a JSON value"),
        ("1e400", 0, "a number within the range of a 64-bit double"),
        ("[1,]", 3, "a JSON value"),
        ("[1 2]", 3, "',' or ']' in an array"),
        ("{\"a\" 1}", 5, "':' after an object key"),
        ("{\"a\":1,}", 7, "a string key"),
        ("{a:1}", 1, "a string key"),
        ("{\"a\":1 \"b\":2}", 7, "',' or '}' in an object"),
        ("{\"a\":1,\"a\":2}", 7, "each object key once"),
        ("'a'", 0, "a JSON value"),
        ("\"abc", 4, "'\"' to end the string"),
        ("\"a\nb\"", 2, "an escape sequence for a control character in a string"),
        ("\"\\x\"", 2, "one of '\"\\/bfnrtu' after '\\'"),
        ("\"\\u12\"", 5, "four hexadecimal digits after '\\u'"),
        ("\"\\ud83d\"", 1, "a low surrogate '\\uDC00'...'\\uDFFF' after a high surrogate"),
        ("\"\\ud83d\\u0041\"", 7, "a low surrogate '\\uDC00'...'\\uDFFF' after a high surrogate"),
        ("\"\\ude00\"", 1, "a high surrogate before a low surrogate"),
        ("1 2", 2, "the end of the input"),
        ("[] x", 3, "the end of the input"),
        ("// c\n1", 0, "a JSON value"),
    ] as [(String, Int, String)])
    func refusesInvalid(text: String, offset: Int, expected: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.offset == offset)
            #expect(error.expected == expected)
        }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func refusesInvalidUTF8() {
        let bytes: [UInt8] = [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError(offset: 0, expected: "a string of valid UTF-8", found: "invalid UTF-8")) {
            try JSONValue(parsing: bytes)
        }
        let escaped: [UInt8] = Array(#""\n"#.utf8) + [0xFF, UInt8(ascii: "\"")]
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: escaped) }
    }

    @Test("errors say where, what was expected and what was found")
    func errorDescription() {
        #expect(throws: JSONParseError(offset: 3, expected: "',' or ']' in an array", found: "'x'")) {
            try JSONValue(parsing: "[1 x]")
        }
        let error = JSONParseError(offset: 3, expected: "',' or ']' in an array", found: "'x'")
        #expect(error.description == "invalid JSON at byte 3: expected ',' or ']' in an array, found 'x'")
        #expect(throws: JSONParseError(offset: 1, expected: "a JSON value", found: "byte 0x01")) {
            try JSONValue(parsing: [UInt8(ascii: "["), 0x01])
        }
        #expect(throws: JSONParseError(offset: 2, expected: "',' or ']' in an array", found: "the end of the input")) {
            try JSONValue(parsing: "[1")
        }
    }

    @Test("nesting up to the limit parses; deeper is refused without overflowing the stack")
    func nestingLimit() throws {
        let limit = JSONValue.defaultMaximumDepth
        let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        var value = try JSONValue(parsing: atLimit)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = elements.first ?? .null
        }
        #expect(depth == limit)

        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONParseError(offset: limit, expected: "at most 512 nested arrays and objects", found: "'['")) {
            try JSONValue(parsing: tooDeep)
        }
        let hostile = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: hostile) }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[[[1]]]", maximumDepth: 2) }
    }

    @Test("serialization is compact, sorts keys and escapes what it must")
    func serializes() {
        let value: JSONValue = ["b": [1, 2.5, nil, true], "a": "x\"y\\z\n\u{1}\u{7F}é😀", "c": [:], "d": []]
        #expect(value.serialized() == #"{"a":"x\"y\\z\n\u0001"# + "\u{7F}é😀" + #"","b":[1,2.5,null,true],"c":{},"d":[]}"#)
        #expect(JSONValue.string("\u{8}\u{C}\r\t\u{1F}").serialized() == #""\b\f\r\t\u001f""#)
        #expect(JSONValue.double(1).serialized() == "1.0")
        #expect(JSONValue.double(1e-7).serialized() == "1e-07")
        #expect(JSONValue.int(-42).serialized() == "-42")
    }

    @Test("non-finite doubles serialize as null")
    func nonFinite() {
        #expect(JSONValue.double(.infinity).serialized() == "null")
        #expect(JSONValue.array([.double(.nan), .double(-.infinity)]).serialized() == "[null,null]")
    }

    @Test("compact output never contains a raw newline; a line adds exactly one")
    func noRawNewline() {
        let value: JSONValue = ["text": "line 1\nline 2\r\n", "list": ["\n"]]
        #expect(!value.serialized().contains("\n"))
        let line = value.serializedLine()
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
    }

    @Test("pretty output indents by two spaces")
    func pretty() {
        let value: JSONValue = ["a": [1, 2], "b": [:], "c": "x"]
        #expect(value.serialized(.pretty) == """
            {
              "a": [
                1,
                2
              ],
              "b": {},
              "c": "x"
            }
            """)
    }

    @Test("values survive a round trip", arguments: [
        JSONValue.null, true, 0, -1, 12345678901234, 0.1, -1.5e300, .double(.leastNonzeroMagnitude), "", "tab\tquote\"back\\slash", "😀\u{0}",
        ["nested": ["deep": [[], [:], [nil]]]], [1, "two", 3.0, false],
    ] as [JSONValue])
    func roundTrip(value: JSONValue) throws {
        #expect(try JSONValue(parsing: value.serialized()) == value)
        #expect(try JSONValue(parsing: value.serialized(.pretty)) == value)
    }

    @Test("accessors read what their type holds and nothing else")
    func accessors() {
        let value: JSONValue = ["name": "Ada", "age": 36, "ratio": 0.5, "whole": 2.0, "ok": true, "list": [1], "none": nil]
        #expect(value["name"]?.stringValue == "Ada")
        #expect(value["age"]?.int64Value == 36)
        #expect(value["whole"]?.int64Value == 2)
        #expect(value["ratio"]?.int64Value == nil)
        #expect(value["ratio"]?.doubleValue == 0.5)
        #expect(value["age"]?.doubleValue == 36)
        #expect(value["ok"]?.boolValue == true)
        #expect(value["list"]?[0] == 1)
        #expect(value["list"]?[1] == nil)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["name"]?.int64Value == nil)
        #expect(value.objectValue?.count == 7)
        #expect(value["list"]?.arrayValue == [1])
        #expect(JSONValue.string("x")["key"] == nil)
        #expect(JSONValue.int(1) != JSONValue.double(1))
    }
}

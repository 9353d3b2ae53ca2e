extension JSONValue {
    /// The layout of serialized JSON.
    public enum Layout: Sendable {
        /// One line, no insignificant whitespace: what goes on the wire.
        case compact
        /// Two-space indentation and one member per line: for people.
        case pretty
    }

    /// This value as JSON text.
    ///
    /// Object keys are sorted, so equal values serialize to equal text. Control characters,
    /// `"` and `\` in strings are escaped, so compact output never contains a raw newline.
    /// A non-finite ``double(_:)`` (infinity, NaN), which JSON cannot spell, is written as
    /// `null`.
    public func serialized(_ layout: Layout = .compact) -> String {
        String(decoding: serializedBytes(layout), as: UTF8.self)
    }

    /// This value as UTF-8 JSON text; see ``serialized(_:)``.
    public func serializedBytes(_ layout: Layout = .compact) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(to: &output, layout: layout, indentation: 0)
        return output
    }

    /// The compact serialization followed by `\n`: one line of the wire protocol.
    public func serializedLine() -> [UInt8] {
        var output = serializedBytes(.compact)
        output.append(UInt8(ascii: "\n"))
        return output
    }

    private func write(to output: inout [UInt8], layout: Layout, indentation: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            output.append(contentsOf: String(value).utf8)
        case .double(let value):
            // Swift's shortest round-trip spelling ("1.0", "1e-07", "1e+21") is valid JSON.
            output.append(contentsOf: (value.isFinite ? value.description : "null").utf8)
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            writeContainer(open: "[", close: "]", count: elements.count, to: &output, layout: layout,
                           indentation: indentation) { output, index in
                elements[index].write(to: &output, layout: layout, indentation: indentation + 1)
            }
        case .object(let members):
            let keys = members.keys.sorted()
            writeContainer(open: "{", close: "}", count: keys.count, to: &output, layout: layout,
                           indentation: indentation) { output, index in
                Self.writeString(keys[index], to: &output)
                output.append(contentsOf: (layout == .pretty ? ": " : ":").utf8)
                members[keys[index]]!.write(to: &output, layout: layout, indentation: indentation + 1)
            }
        }
    }

    private func writeContainer(open: Unicode.Scalar, close: Unicode.Scalar, count: Int, to output: inout [UInt8],
                                layout: Layout, indentation: Int,
                                element: (inout [UInt8], Int) -> Void) {
        output.append(UInt8(ascii: open))
        guard count > 0 else {
            output.append(UInt8(ascii: close))
            return
        }
        for index in 0..<count {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            if layout == .pretty { Self.writeNewline(indentation: indentation + 1, to: &output) }
            element(&output, index)
        }
        if layout == .pretty { Self.writeNewline(indentation: indentation, to: &output) }
        output.append(UInt8(ascii: close))
    }

    private static func writeNewline(indentation: Int, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indentation))
    }

    private static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
            case 0x0A: output.append(contentsOf: #"\n"#.utf8)
            case 0x0D: output.append(contentsOf: #"\r"#.utf8)
            case 0x09: output.append(contentsOf: #"\t"#.utf8)
            case 0x08: output.append(contentsOf: #"\b"#.utf8)
            case 0x0C: output.append(contentsOf: #"\f"#.utf8)
            case 0..<0x20:
                let hexDigits = Array("0123456789abcdef".utf8)
                output.append(contentsOf: #"\u00"#.utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

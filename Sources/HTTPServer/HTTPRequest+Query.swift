extension HTTPRequest {
    /// The query's parameters in order, each name and value decoded as a form's are (`+` is
    /// a space, `%XX` a byte; a malformed escape is kept as written); empty without a query.
    public var queryParameters: [(name: String, value: String)] {
        Self.formParameters(of: query ?? "")
    }

    /// The parameters of a form the body holds (`application/x-www-form-urlencoded`, what a
    /// browser sends for an HTML form), decoded as ``queryParameters`` are; empty for a body
    /// of another type.
    public var formParameters: [(name: String, value: String)] {
        let mediaType = headers["Content-Type"]?.split(separator: ";").first?.trimmingASCIIWhitespace().lowercasedASCII()
        guard mediaType == "application/x-www-form-urlencoded" else { return [] }
        return Self.formParameters(of: String(decoding: body, as: UTF8.self))
    }

    /// The parameters of `text`, `name=value` pairs joined by `&`.
    private static func formParameters(of text: String) -> [(name: String, value: String)] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.formDecoded(parts[0]), parts.count > 1 ? Self.formDecoded(parts[1]) : "")
        }
    }

    /// The value of the last query parameter named `name`, decoded; nil when there is none.
    public func queryValue(named name: String) -> String? {
        queryParameters.last { $0.name == name }?.value
    }

    private static func formDecoded(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "+"):
                decoded.append(UInt8(ascii: " "))
                index += 1
            case UInt8(ascii: "%") where index + 2 < bytes.count:
                if let high = HTTPRequestTarget.hexValue(bytes[index + 1]), let low = HTTPRequestTarget.hexValue(bytes[index + 2]) {
                    decoded.append(high << 4 | low)
                    index += 3
                } else {
                    decoded.append(bytes[index])
                    index += 1
                }
            default:
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}

/// The path and query of a request target, with the path decoded and checked.
///
/// Only the origin form (`/path?query`) and `*` (of `OPTIONS *`) are served. Every segment of
/// the path is percent-decoded; a segment that is `.` or `..` before or after decoding (so
/// `%2e%2e` and `.%2E` too) is refused rather than resolved, and so are an encoded `/` or NUL
/// (which would make one segment look like two, or cut a C string short), a malformed `%`
/// escape, a fragment, and a path that does not decode to UTF-8.
struct HTTPRequestTarget: Equatable {
    /// The decoded path.
    let path: String
    /// The query, still encoded; nil when there is no `?`.
    let query: String?

    init(parsing target: String) throws(HTTPRequestError) {
        if target == "*" {
            path = "*"
            query = nil
            return
        }
        let bytes = Array(target.utf8)
        guard bytes.first == UInt8(ascii: "/") else {
            throw .invalidTarget(reason: "it must be a path that starts with /")
        }
        guard !bytes.contains(UInt8(ascii: "#")) else { throw .invalidTarget(reason: "it may not have a fragment (#)") }
        let questionMark = bytes.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = bytes[..<(questionMark ?? bytes.endIndex)]
        query = questionMark.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
        var decoded: [UInt8] = []
        for segment in rawPath.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            let segmentBytes = try Self.percentDecoded(segment)
            if segmentBytes == [0x2E] || segmentBytes == [0x2E, 0x2E] { throw .dotSegment }
            decoded.append(UInt8(ascii: "/"))
            decoded.append(contentsOf: segmentBytes)
        }
        if decoded.isEmpty { decoded = [UInt8(ascii: "/")] }
        guard let path = String(validating: decoded, as: UTF8.self) else {
            throw .invalidTarget(reason: "the path does not decode to UTF-8")
        }
        self.path = path
    }

    private static func percentDecoded(_ segment: ArraySlice<UInt8>) throws(HTTPRequestError) -> [UInt8] {
        var result: [UInt8] = []
        var index = segment.startIndex
        while index < segment.endIndex {
            let byte = segment[index]
            guard byte == UInt8(ascii: "%") else {
                result.append(byte)
                index += 1
                continue
            }
            guard index + 2 < segment.endIndex,
                  let high = hexValue(segment[index + 1]), let low = hexValue(segment[index + 2]) else {
                throw .invalidTarget(reason: "a % is not followed by two hexadecimal digits")
            }
            let value = high << 4 | low
            guard value != UInt8(ascii: "/"), value != 0 else {
                throw .invalidTarget(reason: "the path may not contain an encoded / or NUL")
            }
            result.append(value)
            index += 3
        }
        return result
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

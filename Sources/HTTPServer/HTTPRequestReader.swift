/// Reads HTTP/1.0 and HTTP/1.1 requests, one after the other, from a byte source, within
/// ``HTTPServerLimits``.
///
/// Bytes a client sent past the end of one request (a pipelined next request) stay buffered
/// for the next call. Framing follows RFC 9112: a body is `Transfer-Encoding: chunked`
/// (trailers are read and dropped), or `Content-Length` bytes, or absent; a request with
/// both is refused, since a proxy in front could frame it the other way. Lines may end in
/// CRLF or a bare LF; empty lines before a request line are skipped.
public struct HTTPRequestReader<Source: HTTPByteSource> {
    /// The limits in force, read at each request.
    public var limits: HTTPServerLimits
    private var source: Source
    private var buffer: [UInt8] = []
    private var position = 0
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    /// The longest line of a chunked body's size (with its extensions) accepted.
    static var maximumChunkLineBytes: Int { 1024 }

    /// A reader of requests from `source`.
    public init(source: Source, limits: HTTPServerLimits) {
        self.source = source
        self.limits = limits
    }

    /// Whether bytes of a next request are already buffered (the client pipelines).
    public var hasBufferedBytes: Bool { position < buffer.count }

    /// Reads the next request.
    ///
    /// - Parameter sendContinue: called once the head of a request with
    ///   `Expect: 100-continue` and a body is read, before the body is waited for, unless
    ///   the body has started arriving already: it sends `100 Continue`.
    /// - Returns: the request; nil when the client closed the connection, or sent nothing
    ///   within ``HTTPServerLimits/idleTimeout``, before the first byte of a request.
    /// - Throws: ``HTTPRequestError`` saying what was wrong with the request.
    public mutating func nextRequest(sendContinue: () -> Void = {}) throws(HTTPRequestError) -> HTTPRequest? {
        compact()
        if position == buffer.count {
            switch fill(before: .now + limits.idleTimeout) {
            case .end, .timedOut: return nil
            case .bytes: break
            }
        }
        let deadline = ContinuousClock.now + limits.requestTimeout
        guard let head = try readHead(before: deadline) else { return nil }
        var request = try Self.parseHead(head, limits: limits)
        let framing = try Self.bodyFraming(of: request, limits: limits)
        if framing != .none {
            let expectations = request.headers.tokens(named: "Expect")
            if let unsupported = expectations.first(where: { $0 != "100-continue" }) {
                throw .unsupportedExpectation(unsupported)
            }
            if !expectations.isEmpty, request.version == .http1_1, !hasBufferedBytes { sendContinue() }
        } else if let expectation = request.headers["Expect"], expectation.lowercasedASCII() != "100-continue" {
            throw .unsupportedExpectation(expectation)
        }
        switch framing {
        case .none: break
        case .length(let length): request.body = try readBytes(length, before: deadline)
        case .chunked: request.body = try readChunkedBody(before: deadline)
        }
        return request
    }

    // MARK: The head

    /// The request line and header lines, without the empty line that ends them; nil when
    /// the connection ended before any byte of a request.
    private mutating func readHead(before deadline: ContinuousClock.Instant) throws(HTTPRequestError) -> [UInt8]? {
        var scanned = position
        while true {
            while position < buffer.count, buffer[position] == 0x0D || buffer[position] == 0x0A {
                position += 1
            }
            scanned = max(scanned, position)
            if let end = Self.headEnd(in: buffer, from: scanned, start: position) {
                guard end.headLength <= limits.maximumHeadBytes else { throw .headTooLarge(limit: limits.maximumHeadBytes) }
                let head = Array(buffer[position..<(position + end.headLength)])
                position = end.next
                return head
            }
            guard buffer.count - position <= limits.maximumHeadBytes else { throw .headTooLarge(limit: limits.maximumHeadBytes) }
            scanned = max(position, buffer.count - 3)
            switch fill(before: deadline) {
            case .bytes: continue
            case .end:
                if position == buffer.count { return nil }
                throw .malformedRequestLine
            case .timedOut: throw .timedOut(limit: limits.requestTimeout)
            }
        }
    }

    /// Where the head that starts at `start` ends: its length without the final empty
    /// line, and the index after that line.
    private static func headEnd(in buffer: [UInt8], from scanned: Int, start: Int) -> (headLength: Int, next: Int)? {
        var index = max(scanned, start)
        while index < buffer.count {
            if buffer[index] == 0x0A {
                if index + 1 < buffer.count, buffer[index + 1] == 0x0A { return (index + 1 - start, index + 2) }
                if index + 2 < buffer.count, buffer[index + 1] == 0x0D, buffer[index + 2] == 0x0A {
                    return (index + 1 - start, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private static func parseHead(_ head: [UInt8], limits: HTTPServerLimits) throws(HTTPRequestError) -> HTTPRequest {
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard let requestLine = lines.first else { throw .malformedRequestLine }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte),
              !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformedRequestLine
        }
        let versionText = String(decoding: parts[2], as: UTF8.self)
        guard let version = HTTPVersion(rawValue: versionText) else {
            let isHTTP = versionText.hasPrefix("HTTP/") && versionText.utf8.count == 8
            throw isHTTP ? .unsupportedVersion(versionText) : .malformedRequestLine
        }
        let headerLines = lines.dropFirst()
        guard headerLines.count <= limits.maximumHeaderCount else { throw .tooManyHeaders(limit: limits.maximumHeaderCount) }
        var headers = HTTPHeaders()
        for line in headerLines {
            let field = try parseField(line)
            headers.append(name: field.name, value: field.value)
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        let parsedTarget = try HTTPRequestTarget(parsing: target)
        let hosts = headers.values(named: "Host")
        if version == .http1_1, hosts.count != 1 { throw .missingHost }
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), target: target, path: parsedTarget.path,
                           query: parsedTarget.query, version: version, headers: headers)
    }

    /// A `name: value` line of the head or of a chunked body's trailers.
    private static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPRequestError) -> (name: String, value: String) {
        guard let first = line.first, first != 0x20, first != 0x09 else {
            throw .malformedHeader(reason: "a line starts with whitespace (obsolete line folding)")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw .malformedHeader(reason: "a line has no colon")
        }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw .malformedHeader(reason: "a field name is empty or has characters a name may not have")
        }
        let value = line[(colon + 1)...]
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw .malformedHeader(reason: "the value of \(String(decoding: name, as: UTF8.self)) has control characters")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingASCIIWhitespace())
    }

    // MARK: The body

    private enum BodyFraming: Equatable {
        case none
        case length(Int)
        case chunked
    }

    private static func bodyFraming(of request: HTTPRequest, limits: HTTPServerLimits) throws(HTTPRequestError) -> BodyFraming {
        let lengths = request.headers.values(named: "Content-Length")
        let codings = request.headers.tokens(named: "Transfer-Encoding")
        if !request.headers.values(named: "Transfer-Encoding").isEmpty {
            guard lengths.isEmpty else { throw .conflictingBodyLengths }
            guard codings == ["chunked"] else {
                throw .unsupportedTransferEncoding(request.headers.values(named: "Transfer-Encoding").joined(separator: ", "))
            }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        let values = Set(lengths.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace() })
        guard values.count == 1, let text = values.first, !text.isEmpty, text.utf8.count <= 18,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(text) else {
            throw .invalidContentLength
        }
        guard length <= limits.maximumBodyBytes else { throw .bodyTooLarge(limit: limits.maximumBodyBytes) }
        return length == 0 ? .none : .length(length)
    }

    private mutating func readChunkedBody(before deadline: ContinuousClock.Instant) throws(HTTPRequestError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine(limit: Self.maximumChunkLineBytes, before: deadline) {
                .malformedChunk(reason: "a chunk size line is longer than \(Self.maximumChunkLineBytes) bytes")
            }
            let sizeText = (sizeLine.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false).first ?? [])
                .reversed().drop(while: { $0 == 0x20 || $0 == 0x09 }).reversed()
            guard !sizeText.isEmpty, sizeText.count <= 15, sizeText.allSatisfy({ HTTPRequestTarget.hexValue($0) != nil }) else {
                throw .malformedChunk(reason: "a chunk size is not a hexadecimal number")
            }
            let size = sizeText.reduce(0) { $0 << 4 | Int(HTTPRequestTarget.hexValue($1)!) }
            if size == 0 { break }
            guard size <= limits.maximumBodyBytes - body.count else { throw .bodyTooLarge(limit: limits.maximumBodyBytes) }
            body.append(contentsOf: try readBytes(size, before: deadline))
            let end = try readLine(limit: 0, before: deadline) { .malformedChunk(reason: "a chunk's data is not followed by CRLF") }
            guard end.isEmpty else { throw .malformedChunk(reason: "a chunk's data is not followed by CRLF") }
        }
        let headLimit = limits.maximumHeadBytes
        var trailerBytes = 0
        var trailerCount = 0
        while true {
            let remaining = max(0, headLimit - trailerBytes)
            let line = try readLine(limit: remaining, before: deadline) { .headTooLarge(limit: headLimit) }
            if line.isEmpty { return body }
            trailerBytes += line.count + 2
            trailerCount += 1
            guard trailerCount <= limits.maximumHeaderCount else { throw .tooManyHeaders(limit: limits.maximumHeaderCount) }
            _ = try Self.parseField(line[...])
        }
    }

    /// The next line, without its CRLF or LF, of at most `limit` bytes.
    private mutating func readLine(limit: Int, before deadline: ContinuousClock.Instant,
                                   tooLong: () -> HTTPRequestError) throws(HTTPRequestError) -> [UInt8] {
        var scanned = position
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                var line = Array(buffer[position..<newline])
                if line.last == 0x0D { line.removeLast() }
                guard line.count <= limit else { throw tooLong() }
                position = newline + 1
                return line
            }
            guard buffer.count - position <= limit + 1 else { throw tooLong() }
            scanned = buffer.count
            try fillForBody(before: deadline)
        }
    }

    private mutating func readBytes(_ count: Int, before deadline: ContinuousClock.Instant) throws(HTTPRequestError) -> [UInt8] {
        while buffer.count - position < count {
            try fillForBody(before: deadline)
        }
        let bytes = Array(buffer[position..<(position + count)])
        position += count
        return bytes
    }

    private mutating func fillForBody(before deadline: ContinuousClock.Instant) throws(HTTPRequestError) {
        switch fill(before: deadline) {
        case .bytes: return
        case .end: throw .incompleteBody
        case .timedOut: throw .timedOut(limit: limits.requestTimeout)
        }
    }

    // MARK: The buffer

    private mutating func fill(before deadline: ContinuousClock.Instant) -> HTTPReadOutcome {
        let outcome = chunk.withUnsafeMutableBytes { source.read(into: $0, before: deadline) }
        if case .bytes(let count) = outcome { buffer.append(contentsOf: chunk[..<count]) }
        return outcome
    }

    private mutating func compact() {
        guard position > 0 else { return }
        buffer.removeFirst(position)
        position = 0
    }
}

/// Whether `byte` is a `tchar` of RFC 9110: what methods and field names are made of.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default:
        "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

/// Parses an HTTP/1.x response as its bytes arrive, in pieces of any size, and feeds it
/// to an ``HTTPResponseReceiver``: the head once the empty line after the header fields
/// has arrived, then the body, framed (RFC 9112, section 6.3) by chunked transfer
/// encoding, by `Content-Length`, or by the end of the connection.
///
/// Interim 1xx responses are skipped. Lines may end in CRLF or a bare LF.
struct HTTPResponseParser {
    /// The longest head (status line and header fields) accepted, in bytes.
    static let headLimit = 64 * 1024

    /// How far parsing got.
    enum Progress: Equatable {
        /// The answer goes on.
        case needsMoreBytes
        /// The whole answer has arrived; any bytes after it are ignored.
        case complete
        /// The receiver asked to stop.
        case stopped
    }

    private enum BodyFraming {
        case length(remaining: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose
    }

    private enum State {
        case head
        case body(BodyFraming)
        case complete
    }

    private var state = State.head
    private var headBytes: [UInt8] = []
    /// Interim (1xx) responses skipped so far; a server that sends more than
    /// ``interimResponseLimit`` is refused rather than parsed (each one recurses once).
    private var interimResponses = 0

    /// The most interim (1xx) responses accepted before the final one.
    static let interimResponseLimit = 16

    /// Parses the next bytes of the answer.
    ///
    /// - Throws: ``HTTPTransportError/malformedResponse(reason:)`` when the answer is not
    ///   valid HTTP.
    mutating func consume(
        _ bytes: UnsafeRawBufferPointer, receiver: some HTTPResponseReceiver
    ) throws(HTTPTransportError) -> Progress {
        switch state {
        case .complete:
            return .complete
        case .head:
            let previousCount = headBytes.count
            headBytes.append(contentsOf: bytes)
            guard let end = Self.endOfHead(in: headBytes, searchingFrom: max(0, previousCount - 3)) else {
                guard headBytes.count <= Self.headLimit else {
                    throw .malformedResponse(reason: "the status line and header fields exceed \(Self.headLimit) bytes")
                }
                return .needsMoreBytes
            }
            let head = try Self.parseHead(headBytes[..<end])
            headBytes.removeAll()
            let rest = UnsafeRawBufferPointer(rebasing: bytes[(end - previousCount)...])
            if (100..<200).contains(head.status) {
                guard head.status != 101 else {
                    throw .malformedResponse(reason: "the server switched protocols (101), which was not asked for")
                }
                interimResponses += 1
                guard interimResponses <= Self.interimResponseLimit else {
                    throw .malformedResponse(
                        reason: "the server sent more than \(Self.interimResponseLimit) interim (1xx) responses")
                }
                return try consume(rest, receiver: receiver)
            }
            let framing = try Self.framing(of: head)
            state = framing.map(State.body) ?? .complete
            if receiver.receive(head: head) == .stop {
                state = .complete
                return .stopped
            }
            return try consume(rest, receiver: receiver)
        case let .body(framing):
            guard !bytes.isEmpty else { return .needsMoreBytes }
            switch framing {
            case .untilClose:
                return receiver.receive(body: bytes) == .stop ? stop() : .needsMoreBytes
            case let .length(remaining):
                let count = min(remaining, bytes.count)
                let decision = receiver.receive(body: UnsafeRawBufferPointer(rebasing: bytes[..<count]))
                state = count == remaining ? .complete : .body(.length(remaining: remaining - count))
                if decision == .stop { return stop() }
                return count == remaining ? .complete : .needsMoreBytes
            case var .chunked(decoder):
                let progress = try decoder.decode(bytes) { receiver.receive(body: $0) }
                switch progress {
                case .needsMoreBytes:
                    state = .body(.chunked(decoder))
                    return .needsMoreBytes
                case .complete:
                    state = .complete
                    return .complete
                case .stopped:
                    return stop()
                }
            }
        }
    }

    /// Notes that the server closed the connection (read returned end of file).
    ///
    /// - Throws: ``HTTPTransportError/connectionLost(reason:)`` unless the answer was
    ///   complete, or framed by the end of the connection.
    mutating func finish() throws(HTTPTransportError) {
        switch state {
        case .complete, .body(.untilClose):
            state = .complete
        case .head where headBytes.isEmpty:
            throw .connectionLost(reason: "the server closed the connection without answering")
        case .head, .body:
            throw .connectionLost(reason: "the server closed the connection before the answer was complete")
        }
    }

    private mutating func stop() -> Progress {
        state = .complete
        return .stopped
    }

    /// The index just past the empty line that ends the head, if it has arrived.
    private static func endOfHead(in bytes: [UInt8], searchingFrom start: Int) -> Int? {
        let newline = UInt8(ascii: "\n")
        var index = max(start, 1)
        while index < bytes.count {
            if bytes[index] == newline {
                if bytes[index - 1] == newline
                    || (index >= 2 && bytes[index - 1] == UInt8(ascii: "\r") && bytes[index - 2] == newline) {
                    return index + 1
                }
            }
            index += 1
        }
        return nil
    }

    /// The status and fields of a head: a status line such as `HTTP/1.1 200 OK`, then
    /// `name: value` lines (obsolete folded continuation lines are joined to their field).
    private static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPTransportError) -> HTTPResponseHead {
        // Split as bytes: in a String, CR LF is one Character, which no "\n" matches.
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let statusLine = lines.first else {
            throw .malformedResponse(reason: "the status line is missing")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let status = Int(parts[1])
        else {
            throw .malformedResponse(reason: "the status line is \"\(statusLine.prefix(80))\", not \"HTTP/1.x <status> <reason>\"")
        }
        var headers: [HTTPHeader] = []
        for line in lines.dropFirst() {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.trimmingWhitespace()
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else {
                throw .malformedResponse(reason: "the header line \"\(line.prefix(80))\" is not \"name: value\"")
            }
            headers.append(HTTPHeader(name: String(line[..<colon]),
                                      value: line[line.index(after: colon)...].trimmingWhitespace()))
        }
        return HTTPResponseHead(status: status, headers: headers)
    }

    /// How the body of a final response ends, or `nil` when it has none.
    private static func framing(of head: HTTPResponseHead) throws(HTTPTransportError) -> BodyFraming? {
        if head.status == 204 || head.status == 304 { return nil }
        let codings = head.values(of: "Transfer-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingWhitespace().lowercased() }
        if let last = codings.last {
            // A response whose last coding is not chunked ends with the connection.
            return last == "chunked" ? .chunked(ChunkedBodyDecoder()) : .untilClose
        }
        let lengths = head.values(of: "Content-Length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingWhitespace() }
        guard let first = lengths.first else { return .untilClose }
        guard first.count <= 18, first.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(first),
              lengths.allSatisfy({ $0 == first })
        else {
            throw .malformedResponse(reason: "the Content-Length \"\(lengths.joined(separator: ", ").prefix(60))\" is not one number")
        }
        return length == 0 ? nil : .length(remaining: length)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

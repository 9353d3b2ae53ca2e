/// Decodes a body sent with chunked transfer encoding (RFC 9112, section 7.1) as its
/// bytes arrive, in pieces of any size: chunk sizes in hexadecimal (extensions ignored),
/// each chunk's data followed by CRLF, a last chunk of size 0, then trailer fields
/// (ignored) up to an empty line. Bare LF is accepted wherever CRLF is expected.
struct ChunkedBodyDecoder {
    /// The longest chunk-size or trailer line accepted, in bytes.
    static let lineLimit = 4096

    /// How far decoding got.
    enum Progress: Equatable {
        /// The body goes on.
        case needsMoreBytes
        /// The last chunk and the trailer have arrived.
        case complete
        /// The data callback asked to stop.
        case stopped
    }

    private enum State {
        case sizeLine
        case data(remaining: Int)
        case dataEnd(sawCarriageReturn: Bool)
        case trailerLine
        case done
    }

    private var state = State.sizeLine
    private var line: [UInt8] = []

    /// Decodes `bytes`, passing each piece of chunk data to `onData` in order.
    ///
    /// - Returns: ``Progress/complete`` once the body has ended (bytes after its end are
    ///   ignored), or ``Progress/stopped`` when `onData` answered ``HTTPReceiveDecision/stop``.
    /// - Throws: ``HTTPTransportError/malformedResponse(reason:)`` for a bad chunk size,
    ///   a missing CRLF after a chunk, or a line over ``lineLimit``.
    mutating func decode(
        _ bytes: UnsafeRawBufferPointer, onData: (UnsafeRawBufferPointer) -> HTTPReceiveDecision
    ) throws(HTTPTransportError) -> Progress {
        var index = 0
        while index < bytes.count {
            switch state {
            case .sizeLine, .trailerLine:
                guard let text = try takeLine(from: bytes, at: &index) else { continue }
                if case .sizeLine = state {
                    let size = try Self.chunkSize(in: text)
                    state = size == 0 ? .trailerLine : .data(remaining: size)
                } else if text.isEmpty {
                    state = .done
                }
            case let .data(remaining):
                let count = min(remaining, bytes.count - index)
                let decision = onData(UnsafeRawBufferPointer(rebasing: bytes[index..<index + count]))
                index += count
                state = count == remaining ? .dataEnd(sawCarriageReturn: false) : .data(remaining: remaining - count)
                if decision == .stop { return .stopped }
            case let .dataEnd(sawCarriageReturn):
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: "\r"), !sawCarriageReturn {
                    state = .dataEnd(sawCarriageReturn: true)
                } else if byte == UInt8(ascii: "\n") {
                    state = .sizeLine
                } else {
                    throw .malformedResponse(reason: "a chunk's data is not followed by CRLF")
                }
            case .done:
                return .complete
            }
        }
        if case .done = state { return .complete }
        return .needsMoreBytes
    }

    /// Moves the bytes up to the next LF into the current line; returns the whole line
    /// (without CR and LF) once its LF has arrived, `nil` while it goes on.
    private mutating func takeLine(from bytes: UnsafeRawBufferPointer, at index: inout Int) throws(HTTPTransportError) -> [UInt8]? {
        let rest = bytes[index...]
        let newline = rest.firstIndex(of: UInt8(ascii: "\n"))
        line.append(contentsOf: rest[..<(newline ?? bytes.count)])
        index = newline.map { $0 + 1 } ?? bytes.count
        guard line.count <= Self.lineLimit else {
            throw .malformedResponse(reason: "a chunk-size or trailer line is longer than \(Self.lineLimit) bytes")
        }
        guard newline != nil else { return nil }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        defer { line.removeAll(keepingCapacity: true) }
        return line
    }

    /// The size of a chunk-size line: hexadecimal digits, optionally followed by `;` and
    /// extensions.
    private static func chunkSize(in line: [UInt8]) throws(HTTPTransportError) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }
            .drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let trimmed = digits.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        let isHexadecimal = trimmed.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
        }
        // 15 hexadecimal digits always fit in an Int.
        guard !trimmed.isEmpty, trimmed.count <= 15, isHexadecimal,
              let size = Int(String(decoding: trimmed, as: UTF8.self), radix: 16)
        else {
            let shown = String(decoding: line.prefix(40), as: UTF8.self)
            throw .malformedResponse(reason: "a chunk size is not a hexadecimal number: \"\(shown)\"")
        }
        return size
    }
}

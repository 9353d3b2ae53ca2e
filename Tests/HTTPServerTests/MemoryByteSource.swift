import HTTPServer

/// Bytes in memory as a client's connection: handed out in the pieces given (each read
/// takes at most one piece), then the end of the stream, or a stall (every read times out)
/// as from a client that keeps its connection open and sends nothing more.
struct MemoryByteSource: HTTPByteSource {
    private var pieces: [[UInt8]]
    private let stallsAtEnd: Bool

    init(_ pieces: [[UInt8]], stallsAtEnd: Bool = false) {
        self.pieces = pieces
        self.stallsAtEnd = stallsAtEnd
    }

    init(_ text: String, stallsAtEnd: Bool = false) {
        self.init([Array(text.utf8)], stallsAtEnd: stallsAtEnd)
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome {
        guard !pieces.isEmpty else { return stallsAtEnd ? .timedOut : .end }
        let piece = pieces.removeFirst()
        let count = min(piece.count, buffer.count)
        buffer.copyBytes(from: piece[..<count])
        if count < piece.count { pieces.insert(Array(piece[count...]), at: 0) }
        return .bytes(count)
    }
}

/// What reading every request of a source gave: the requests, then the error that stopped
/// the reader, if any.
struct ReadOutcome {
    var requests: [HTTPRequest] = []
    var error: HTTPRequestError?
    var continuesSent = 0
}

/// Reads requests from `source` until the end of the stream or an error.
func readAll(_ source: MemoryByteSource, limits: HTTPServerLimits = HTTPServerLimits()) -> ReadOutcome {
    var reader = HTTPRequestReader(source: source, limits: limits)
    var outcome = ReadOutcome()
    while true {
        do throws(HTTPRequestError) {
            guard let request = try reader.nextRequest(sendContinue: { outcome.continuesSent += 1 }) else { return outcome }
            outcome.requests.append(request)
        } catch {
            outcome.error = error
            return outcome
        }
    }
}

/// Reads requests from `text`, ended by the end of the stream.
func readAll(_ text: String, limits: HTTPServerLimits = HTTPServerLimits()) -> ReadOutcome {
    readAll(MemoryByteSource(text), limits: limits)
}

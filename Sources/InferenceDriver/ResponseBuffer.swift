import Foundation

/// A response's head and the start of its body, up to a limit.
struct BufferedResponse: Sendable {
    /// The status and header fields.
    var head: HTTPResponseHead
    /// The body, or its first ``ResponseBuffer/limit`` bytes.
    var body: Data
    /// Whether the body went on beyond the limit (and was cut off there).
    var isTruncated: Bool
}

/// Gathers a response body up to a limit.
struct ResponseBuffer: Sendable {
    /// The most bytes kept.
    let limit: Int
    /// The bytes so far.
    private(set) var body = Data()
    /// Whether bytes beyond ``limit`` arrived.
    private(set) var isTruncated = false

    /// Creates an empty buffer that keeps at most `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    /// Appends the next bytes; answers ``HTTPReceiveDecision/stop`` once the limit is passed.
    mutating func append(_ bytes: UnsafeRawBufferPointer) -> HTTPReceiveDecision {
        let room = limit - body.count
        body.append(contentsOf: bytes.prefix(room))
        guard bytes.count <= room else {
            isTruncated = true
            return .stop
        }
        return .proceed
    }
}

/// What one read from an ``HTTPByteSource`` gave.
public enum HTTPReadOutcome: Sendable, Equatable {
    /// This many bytes, at least one, were read into the buffer.
    case bytes(Int)
    /// The client closed its sending side (or the connection failed).
    case end
    /// Nothing arrived before the deadline.
    case timedOut
}

/// Where an ``HTTPRequestReader`` gets its bytes: a client's socket, or bytes in memory.
public protocol HTTPByteSource {
    /// Reads what is there, up to `buffer.count` bytes, waiting until `deadline` at most.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer, before deadline: ContinuousClock.Instant) -> HTTPReadOutcome
}

import Synchronization

/// The last bytes a worker wrote to one of its standard streams: a ring buffer of fixed
/// capacity, so a chatty skill costs the daemon a bounded amount of memory however much it
/// writes. Counts what it had to drop so that reports can say so.
final class OutputTail: Sendable {
    private struct Ring {
        var bytes: [UInt8]
        /// Where the next byte goes.
        var head = 0
        /// Bytes held, at most the capacity.
        var count = 0
        /// Bytes written since the last `take` that were overwritten before being taken.
        var dropped = 0
    }

    /// The most bytes kept.
    let capacity: Int
    private let ring: Mutex<Ring>

    /// Creates an empty tail that keeps the last `capacity` bytes.
    init(capacity: Int) {
        precondition(capacity > 0, "an output tail needs room for at least one byte")
        self.capacity = capacity
        ring = Mutex(Ring(bytes: [UInt8](repeating: 0, count: capacity)))
    }

    /// Appends `bytes`, overwriting the oldest ones beyond the capacity.
    func append(_ bytes: UnsafeRawBufferPointer) {
        ring.withLock { ring in
            for byte in bytes.suffix(capacity) {
                ring.bytes[ring.head] = byte
                ring.head = (ring.head + 1) % capacity
            }
            let overflow = max(0, ring.count + bytes.count - capacity)
            ring.dropped += overflow
            ring.count = min(capacity, ring.count + bytes.count)
        }
    }

    /// The bytes held, oldest first, and how many were dropped before them; empties the tail.
    func take() -> (bytes: [UInt8], dropped: Int) {
        ring.withLock { ring in
            let start = (ring.head - ring.count + capacity) % capacity
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ring.count)
            for offset in 0..<ring.count {
                bytes.append(ring.bytes[(start + offset) % capacity])
            }
            let dropped = ring.dropped
            ring.count = 0
            ring.dropped = 0
            return (bytes, dropped)
        }
    }

    /// The last `limit` bytes held, as text, without emptying the tail.
    func peekText(last limit: Int) -> String {
        ring.withLock { ring in
            let count = min(limit, ring.count)
            let start = (ring.head - count + capacity) % capacity
            let bytes = (0..<count).map { ring.bytes[(start + $0) % capacity] }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Turns a stream of byte chunks into text chunks without ever splitting a character: a
/// multi-byte UTF-8 sequence cut across two chunks is held back until its last byte
/// arrives, then sent whole.
///
/// Bytes that can never become UTF-8 (an invalid sequence, not merely an unfinished one)
/// stop the text there: nothing from them on is returned, since such output fails its run
/// anyway (`skill_failed`: "not valid UTF-8") and a caller must never see replacement
/// characters that the run's real output does not contain.
struct UTF8StreamDecoder: Sendable {
    /// Bytes received but not yet returned: an unfinished sequence at the end, or, once
    /// ``isBroken``, everything from the first invalid byte.
    private var pending: [UInt8] = []
    /// Whether an invalid sequence was met; no text is returned after it.
    private(set) var isBroken = false
    /// How many bytes were received in all.
    private(set) var receivedBytes = 0

    /// Takes the next chunk of bytes and returns the text that is complete now: every
    /// whole character received so far and not yet returned (possibly empty).
    mutating func decode(_ bytes: some Collection<UInt8>) -> String {
        receivedBytes += bytes.count
        pending.append(contentsOf: bytes)
        guard !isBroken else { return "" }
        let (complete, tail) = Self.split(pending)
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        switch tail {
        case .none: pending.removeAll(keepingCapacity: true)
        case .unfinished: pending.removeFirst(complete)
        case .invalid:
            pending.removeFirst(complete)
            isBroken = true
        }
        return text
    }

    /// What follows the longest prefix of whole, valid characters.
    private enum Tail {
        /// Nothing: the bytes are valid UTF-8 to the end.
        case none
        /// The start of a character whose remaining bytes have not arrived.
        case unfinished
        /// A byte sequence that is not UTF-8, whatever follows.
        case invalid
    }

    /// The length of the longest prefix of `bytes` made of whole, valid UTF-8 characters,
    /// and what follows it.
    private static func split(_ bytes: [UInt8]) -> (complete: Int, tail: Tail) {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; second = 0x80...0x8F
            default: return (index, .invalid)
            }
            let available = min(length, bytes.count - index)
            for offset in 1..<available {
                let allowed = offset == 1 ? second : 0x80...0xBF
                guard allowed.contains(bytes[index + offset]) else { return (index, .invalid) }
            }
            guard available == length else { return (index, .unfinished) }
            index += length
        }
        return (index, .none)
    }
}

/// Splits the bytes of a connection into `\n`-terminated lines, with a limit on the
/// length of a line so a peer cannot make the reader buffer without bound: of a line longer
/// than the limit, no more than the limit and one byte is ever read.
public struct LineReader {
    /// What ``next()`` found.
    public enum Event: Equatable, Sendable {
        /// A complete line, without its `\n`. A last line the peer ended without `\n` counts.
        case line([UInt8])
        /// A line is longer than the limit; nothing more should be read.
        case lineTooLong
        /// The stream ended (or could not be read any more).
        case end
    }

    /// The longest line accepted, in bytes, not counting the `\n`; a change applies from the
    /// next call of ``next()``.
    public var maximumLineBytes: Int
    private let connection: UnixSocketConnection
    private var buffer: [UInt8] = []
    private var lineStart = 0
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    /// A reader of `connection`'s lines of at most `maximumLineBytes` bytes.
    public init(connection: UnixSocketConnection, maximumLineBytes: Int) {
        self.connection = connection
        self.maximumLineBytes = maximumLineBytes
    }

    /// Blocks until the next line, the end of the stream, or a line over the limit.
    public mutating func next() -> Event {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[lineStart..<newline])
                lineStart = newline + 1
                scanned = lineStart
                return line.count > maximumLineBytes ? .lineTooLong : .line(line)
            }
            scanned = buffer.count
            if buffer.count - lineStart > maximumLineBytes { return .lineTooLong }
            if lineStart > 0 {
                buffer.removeFirst(lineStart)
                scanned -= lineStart
                lineStart = 0
            }
            // Never more than one byte past the limit is held of a line, however long the
            // line the peer sends: that byte tells a line over the limit from one at it.
            let room = maximumLineBytes - (buffer.count - lineStart)
            let allowance = room < chunk.count ? room + 1 : chunk.count
            let count = chunk.withUnsafeMutableBytes { [connection] chunk in
                (try? connection.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<allowance]))) ?? 0
            }
            guard count > 0 else {
                guard buffer.count > lineStart else { return .end }
                let line = Array(buffer[lineStart...])
                buffer.removeAll()
                lineStart = 0
                scanned = 0
                return .line(line)
            }
            buffer.append(contentsOf: chunk[..<count])
        }
    }
}

import Foundation
import Glibc
import JSON
import JSONRPC
import Synchronization
import SystemCalls

/// MCP's stdio transport: newline-delimited JSON-RPC messages read from one descriptor
/// (standard input) and written to another (standard output), nothing else written there;
/// what an MCP host such as an editor reads from the program it launches.
public enum MCPStandardIO {
    /// Serves an ``MCPSession`` of `skillhost` to the client at the other end of `input`
    /// and `output` until `input` ends (the client closed it), then closes the session:
    /// its requests still running are cancelled.
    ///
    /// A line that is not JSON gets a `parse_error` (id null) and the session goes on; a
    /// line longer than `maximumMessageBytes` gets an `invalid_request` and ends it, as
    /// nothing more can be read in step. `log` gets what the client is not told, for
    /// standard error.
    public static func serve(_ skillhost: any MCPSkillhost, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO,
                             maximumMessageBytes: Int = 16 << 20, log: @escaping @Sendable (String) -> Void) async {
        let writer = MessageWriter(descriptor: output, log: log)
        let session = MCPSession(skillhost: skillhost, notify: writer.write)
        defer { session.close() }
        for await event in lines(of: input, maximumBytes: maximumMessageBytes) {
            switch event {
            case .line(let line):
                guard line.contains(where: { !Self.isWhitespace($0) }) else { continue }
                do throws(JSONParseError) {
                    session.receive(try JSONValue(parsing: line), reply: writer.write)
                } catch {
                    log("a message from the client is not JSON: \(error)")
                    writer.write(JSONRPCResponse(id: nil, error: .parseError(error.description)).jsonValue)
                }
            case .tooLong:
                log("a message from the client is longer than \(maximumMessageBytes) bytes; ending the session")
                writer.write(JSONRPCResponse(id: nil, error: .invalidRequest(
                    "a message longer than \(maximumMessageBytes) bytes")).jsonValue)
                return
            case .failed(let error):
                log("cannot read the client's messages: \(error)")
                return
            }
        }
    }

    /// What the reader of `input` found.
    private enum ReadEvent: Sendable {
        case line([UInt8])
        case tooLong
        case failed(SystemCallError)
    }

    /// The lines of `descriptor`, read by a thread of their own (reads block); the stream
    /// ends at the end of the input, after a line that is too long, or after a failed read.
    private static func lines(of descriptor: Int32, maximumBytes: Int) -> AsyncStream<ReadEvent> {
        AsyncStream { continuation in
            let thread = Thread {
                var pending: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 << 10)
                reading: while true {
                    let read = chunk.withUnsafeMutableBytes { buffer in
                        Result { () throws(SystemCallError) in
                            try FileDescriptor.withUnowned(descriptor) { file throws(SystemCallError) in try file.read(into: buffer) }
                        }
                    }
                    guard case .success(let count) = read else {
                        if case .failure(let error) = read { continuation.yield(.failed(error)) }
                        break reading
                    }
                    guard count > 0 else {
                        if !pending.isEmpty { continuation.yield(.line(pending)) }
                        break reading
                    }
                    var start = 0
                    for index in 0..<count where chunk[index] == UInt8(ascii: "\n") {
                        pending.append(contentsOf: chunk[start..<index])
                        continuation.yield(.line(pending))
                        pending.removeAll(keepingCapacity: true)
                        start = index + 1
                    }
                    pending.append(contentsOf: chunk[start..<count])
                    if pending.count > maximumBytes {
                        continuation.yield(.tooLong)
                        break reading
                    }
                }
                continuation.finish()
            }
            thread.name = "mcp-stdin"
            thread.start()
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}

/// Writes whole messages, one line each, to a descriptor.
private final class MessageWriter: Sendable {
    private let descriptor: Int32
    private let log: @Sendable (String) -> Void
    /// Whether writing failed (the client closed its end): later messages are dropped. A
    /// `Mutex` held across each write, so that messages sent from several threads never
    /// interleave.
    private let hasFailed = Mutex(false)

    init(descriptor: Int32, log: @escaping @Sendable (String) -> Void) {
        self.descriptor = descriptor
        self.log = log
    }

    /// Writes `message` and a newline; blocks while the client does not read.
    func write(_ message: JSONValue) {
        let line = message.serializedLine()
        hasFailed.withLock { hasFailed in
            guard !hasFailed else { return }
            do throws(SystemCallError) {
                try FileDescriptor.withUnowned(descriptor) { file throws(SystemCallError) in try file.writeAll(line) }
            } catch {
                hasFailed = true
                log("cannot write to the client: \(error)")
            }
        }
    }
}

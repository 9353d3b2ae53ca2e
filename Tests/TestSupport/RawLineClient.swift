import Foundation
import JSON
import JSONRPC
import Synchronization
import SystemCalls

/// A client of a Unix socket that writes and reads raw lines, to test a server's wire
/// exactly (its refusals, its limits). Reads happen on a thread of their own, never on the
/// Swift concurrency pool, and give up after a timeout (the socket is then shut down), so a
/// server that does not answer fails a test instead of hanging it.
public final class RawLineClient: Sendable {
    /// The connection.
    public let socket: UnixSocketConnection
    private let reader: Mutex<LineReader>

    /// Connects to the socket at `path`; lines longer than `maximumLineBytes` are not read.
    public init(path: String, maximumLineBytes: Int = 64 << 20) throws(UnixSocketError) {
        socket = try UnixSocketConnection.connect(to: path)
        reader = Mutex(LineReader(connection: socket, maximumLineBytes: maximumLineBytes))
    }

    /// Writes `text` and a newline.
    public func send(_ text: String) throws(SystemCallError) {
        try socket.write(Array((text + "\n").utf8))
    }

    /// The next event: a line, or `.end` when the server closes (or after `timeout`).
    public func next(timeout: Duration = .seconds(10)) async -> LineReader.Event {
        let finished = Atomic(false)
        let socket = self.socket
        let watchdog = Task {
            try? await Task.sleep(for: timeout)
            if !finished.load(ordering: .acquiring) { socket.shutdown() }
        }
        let event = await withCheckedContinuation { continuation in
            Thread { [self] in continuation.resume(returning: reader.withLock { $0.next() }) }.start()
        }
        finished.store(true, ordering: .releasing)
        watchdog.cancel()
        return event
    }

    /// The next line as JSON; nil when none comes or it is not JSON.
    public func nextJSON(timeout: Duration = .seconds(10)) async -> JSONValue? {
        guard case .line(let line) = await next(timeout: timeout) else { return nil }
        return try? JSONValue(parsing: line)
    }

    /// Closes the connection.
    public func close() {
        socket.shutdown()
    }
}

import Foundation
import Glibc
import JSON
import JSONRPC
import Synchronization
import Testing

/// A fresh directory under /tmp (short, so socket paths fit), removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/jsonrpc-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(created != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: created!)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` on a thread of its own, so blocking I/O never holds a thread of the Swift
/// concurrency pool that the server's handlers need.
func onDedicatedThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// `body`'s value, or `nil` if it takes longer than `timeout`; `body` is then cancelled, and
/// must react to that, since this waits for it to return.
func withTimeout<Value: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> Value) async -> Value? {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// A client that writes raw lines and reads raw lines, to test the wire exactly.
/// Reads give up after a timeout (the socket is then shut down), so a broken server
/// fails a test instead of hanging it.
final class RawClient: Sendable {
    let socket: UnixSocketConnection
    private let reader: Mutex<LineReader>

    init(path: String, maxLineBytes: Int = 16 << 20) throws {
        socket = try UnixSocketConnection.connect(to: path)
        reader = Mutex(LineReader(connection: socket, maximumLineBytes: maxLineBytes))
    }

    func send(_ text: String) throws {
        try socket.write(Array((text + "\n").utf8))
    }

    func send(bytes: [UInt8]) throws {
        try socket.write(bytes)
    }

    /// The next event, or `.end` after `timeout`.
    func next(timeout: Duration = .seconds(10)) async -> LineReader.Event {
        let finished = Mutex(false)
        let socket = self.socket
        Task {
            try? await Task.sleep(for: timeout)
            if !finished.withLock({ $0 }) { socket.shutdown() }
        }
        let event = await onDedicatedThread { [self] in reader.withLock { $0.next() } }
        finished.withLock { $0 = true }
        return event
    }

    /// The next line parsed as JSON; a test failure (and `nil`) if none comes.
    func nextJSON(timeout: Duration = .seconds(10)) async -> JSONValue? {
        guard case .line(let line) = await next(timeout: timeout) else {
            Issue.record("expected a line from the server")
            return nil
        }
        do {
            return try JSONValue(parsing: line)
        } catch {
            Issue.record("the server sent invalid JSON: \(error)")
            return nil
        }
    }
}

import JSON
import JSONRPC
import SkillhostProtocol

/// The blocking client skillbench measures with: one Unix socket connection, one request line
/// written, one line read back, on the calling thread.
///
/// It is built from the JSONRPC module's blocking parts (``UnixSocketConnection`` writes a
/// whole line, ``LineReader`` splits what comes back) rather than ``JSONRPCClient``, whose
/// dispatch queue for writes, reader thread and continuation add two thread hand-offs to
/// every call: timings would then include the client's own scheduling. The floor (the C echo
/// server) and the daemon are timed through exactly the same ``roundTrip(_:)``.
///
/// Not `Sendable`: each load-generating thread owns its client.
final class LineClient {
    /// The path connected to.
    let socketPath: String
    private let connection: UnixSocketConnection
    private var reader: LineReader

    /// Connects to the socket at `socketPath`.
    init(socketPath: String) throws(BenchError) {
        do {
            connection = try UnixSocketConnection.connect(to: socketPath)
        } catch {
            throw BenchError("cannot connect to \(socketPath): \(error)")
        }
        self.socketPath = socketPath
        reader = LineReader(connection: connection, maximumLineBytes: 64 << 20)
    }

    deinit {
        connection.shutdown()
    }

    /// Writes `line` (which ends with `\n`) and returns the next line that comes back.
    func roundTrip(_ line: [UInt8]) throws(BenchError) -> [UInt8] {
        do {
            try connection.write(line)
        } catch {
            throw BenchError("cannot write to \(socketPath): \(error)")
        }
        return try readLine()
    }

    /// Reads the next line.
    func readLine() throws(BenchError) -> [UInt8] {
        switch reader.next() {
        case .line(let line):
            return line
        case .lineTooLong:
            throw BenchError("\(socketPath) sent a line longer than 64 MiB")
        case .end:
            throw BenchError("\(socketPath) closed the connection")
        }
    }

    /// Sends a call of the method `request` declares, with `params` written as they are (not
    /// through the declaration's encoder: the benchmark's client costs as little as it can),
    /// and returns its result. Notifications that come first go to `onNotification` with the
    /// time they arrived (``MonotonicClock``).
    func call<Request: SkillhostRequest>(_ request: Request.Type, _ params: JSONValue = .object([:]),
              onNotification: (String, JSONValue?, UInt64) -> Void = { _, _, _ in }) throws(BenchError) -> JSONValue {
        let method = Request.method
        var line = try roundTrip(RPCRequestLine.make(method: method, params: params))
        while true {
            let received = MonotonicClock.now()
            guard let message = try? JSONValue(parsing: line) else {
                throw BenchError("\(socketPath) answered \(method) with a line that is not JSON")
            }
            if message["id"] == nil, let notified = message["method"]?.stringValue {
                onNotification(notified, message["params"], received)
                line = try readLine()
                continue
            }
            if let error = message["error"] {
                throw BenchError("\(method) failed: \(error.serialized())")
            }
            return message["result"] ?? .null
        }
    }
}

/// Request lines, serialized as the daemon's own code serializes JSON (sorted keys).
enum RPCRequestLine {
    /// The line of a request with id 1 (one call in flight per connection).
    static func make(method: String, params: JSONValue) -> [UInt8] {
        JSONValue.object(["jsonrpc": "2.0", "id": 1, "method": .string(method), "params": params]).serializedLine()
    }

    /// How every successful response to a request with id 1 begins, keys being sorted.
    static let successPrefix = Array(#"{"id":1,"jsonrpc":"2.0","result":"#.utf8)
}

import Dispatch
import Foundation
import JSON
import Synchronization

/// A JSON-RPC 2.0 client over a Unix socket, one message per line.
///
/// Calls may be made concurrently on one client: each gets the next integer id and is
/// resumed by the response with that id, in whatever order responses come. If the
/// connection drops, every pending call fails with ``JSONRPCClientError/connectionLost(socketPath:reason:)``,
/// or with ``JSONRPCClientError/server(_:)`` when the server's last word was an error tied
/// to no request (it refused the connection, or a line).
/// Notifications from the server go to `onNotification`, on the client's reader thread.
public final class JSONRPCClient: Sendable {
    /// The socket's path.
    public let socketPath: String
    private let socket: UnixSocketConnection
    private let outgoing: DispatchQueue
    private let calls: PendingCalls

    /// Connects to the server at `socketPath`.
    /// - Parameters:
    ///   - maxLineBytes: the longest response line accepted.
    ///   - onNotification: called with the method and params of each notification the
    ///     server sends, on the client's reader thread.
    /// - Throws: ``JSONRPCClientError/notRunning(socketPath:)`` when nothing listens there,
    ///   ``JSONRPCClientError/permissionDenied(socketPath:)``, or
    ///   ``JSONRPCClientError/connectionFailed(socketPath:reason:)``.
    public init(socketPath: String, maxLineBytes: Int = 16 << 20,
                onNotification: (@Sendable (String, JSONValue?) -> Void)? = nil) throws(JSONRPCClientError) {
        do {
            socket = try UnixSocketConnection.connect(to: socketPath)
        } catch {
            throw .connecting(to: socketPath, failure: error)
        }
        self.socketPath = socketPath
        outgoing = DispatchQueue(label: "skillhost.jsonrpc.client.outgoing")
        let calls = PendingCalls()
        self.calls = calls
        // The reader holds the socket and the pending calls, not the client, so dropping the
        // client shuts the socket down (deinit) and ends the thread.
        let thread = Thread { [socket, socketPath] in
            Self.readResponses(from: socket, socketPath: socketPath, maxLineBytes: maxLineBytes,
                               calls: calls, onNotification: onNotification)
        }
        thread.name = "jsonrpc-client"
        thread.start()
    }

    deinit {
        close()
    }

    /// Calls `method` and returns its result.
    /// - Throws: ``JSONRPCClientError/server(_:)`` with the server's error, or why no
    ///   response came (connection lost, client closed, task cancelled).
    public func call(_ method: String, params: JSONValue? = nil) async throws(JSONRPCClientError) -> JSONValue {
        let id = calls.nextID()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard calls.register(id, continuation) else { return }
                // Checked after registering: a cancellation that came before found nothing to resolve.
                if Task.isCancelled {
                    calls.resolve(id, with: .failure(.cancelled(method: method)))
                    return
                }
                send(JSONRPCRequest(method: method, params: params, id: .int(id)))
            }
        } onCancel: {
            calls.resolve(id, with: .failure(.cancelled(method: method)))
        }
        return try outcome.get()
    }

    /// Sends a notification: no response comes, not even for an error.
    /// - Throws: when the connection is already lost or closed.
    public func notify(_ method: String, params: JSONValue? = nil) throws(JSONRPCClientError) {
        if let failure = calls.failure { throw failure }
        send(JSONRPCRequest.notification(method: method, params: params))
    }

    /// Closes the connection; pending calls fail with ``JSONRPCClientError/closed``.
    public func close() {
        calls.failAll(with: .closed)
        socket.shutdown()
    }

    private func send(_ request: JSONRPCRequest) {
        let line = request.jsonValue.serializedLine()
        // A failed write means the connection is gone: shutting it down ends the reader,
        // which fails every pending call.
        outgoing.async { [socket] in
            do { try socket.write(line) } catch { socket.shutdown() }
        }
    }

    private static func readResponses(from socket: UnixSocketConnection, socketPath: String, maxLineBytes: Int,
                                      calls: PendingCalls, onNotification: (@Sendable (String, JSONValue?) -> Void)?) {
        var reader = LineReader(connection: socket, maximumLineBytes: maxLineBytes)
        var lastWord: String?
        // An error the server could not tie to a request says why it hangs up (too many
        // connections, a line over its limit): it is every pending call's answer.
        var farewell: JSONRPCError?
        reading: while true {
            switch reader.next() {
            case .line(let line):
                guard let message = try? JSONValue(parsing: line) else { continue }
                let messages = message.arrayValue ?? [message]
                for message in messages {
                    if let response = JSONRPCResponse(message) {
                        if case .int(let id)? = response.id {
                            calls.resolve(id, with: response.outcome.mapError { .server($0) })
                        } else if case .failure(let error) = response.outcome {
                            farewell = error
                        }
                    } else if let method = message["method"]?.stringValue, message["id"] == nil {
                        onNotification?(method, message["params"])
                    }
                }
            case .lineTooLong:
                lastWord = "a message from the server was longer than the limit of \(maxLineBytes) bytes"
                break reading
            case .end:
                break reading
            }
        }
        socket.shutdown()
        calls.failAll(with: farewell.map(JSONRPCClientError.server) ?? .connectionLost(socketPath: socketPath, reason: lastWord))
    }
}

/// The calls of a ``JSONRPCClient`` awaiting their responses, each resumed exactly once:
/// whoever removes a call's continuation from the table resumes it.
private final class PendingCalls: Sendable {
    typealias Continuation = CheckedContinuation<Result<JSONValue, JSONRPCClientError>, Never>

    private struct State {
        var nextID: Int64 = 1
        var waiting: [Int64: Continuation] = [:]
        var failure: JSONRPCClientError?
    }

    private let state = Mutex(State())

    func nextID() -> Int64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Why no call can succeed any more, once the connection is gone.
    var failure: JSONRPCClientError? { state.withLock { $0.failure } }

    /// Registers `continuation` for `id`; when the connection is already gone, resumes it
    /// with the failure instead and returns `false`.
    func register(_ id: Int64, _ continuation: Continuation) -> Bool {
        let failure = state.withLock { state -> JSONRPCClientError? in
            if state.failure == nil { state.waiting[id] = continuation }
            return state.failure
        }
        guard let failure else { return true }
        continuation.resume(returning: .failure(failure))
        return false
    }

    /// Resumes the call `id` with `outcome`, if it is still waiting.
    func resolve(_ id: Int64, with outcome: Result<JSONValue, JSONRPCClientError>) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: outcome)
    }

    /// Fails every waiting call, and every later one, with `failure` (the first failure sticks).
    func failAll(with failure: JSONRPCClientError) {
        let (waiting, stuck) = state.withLock { state in
            if state.failure == nil { state.failure = failure }
            defer { state.waiting.removeAll() }
            return (state.waiting.values, state.failure!)
        }
        for continuation in waiting { continuation.resume(returning: .failure(stuck)) }
    }
}

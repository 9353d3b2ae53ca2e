import Dispatch
import Synchronization

/// A client connection of an ``HTTPServer``: its transport, whether a request is being
/// answered, and the serial queue that writes from a request's task go through, so that a
/// client that reads slowly holds up a thread of that queue, never the Swift concurrency pool.
final class HTTPConnection: Sendable {
    /// The connection's transport: TCP, or TLS over it.
    let transport: any HTTPTransport
    private let writes: DispatchQueue
    private let state = Mutex(State())

    private struct State {
        /// Whether a request is being answered.
        var isBusy = false
        /// Whether the server is shutting down: no request is read after the current one.
        var isDraining = false
        /// The task answering the current request.
        var task: Task<Void, Never>?
    }

    init(transport: any HTTPTransport) {
        self.transport = transport
        writes = DispatchQueue(label: "skillhost.http.connection-writes")
    }

    /// Writes `bytes` on the connection's queue; false when the client has gone.
    func send(_ bytes: [UInt8]) async -> Bool {
        await withCheckedContinuation { continuation in
            writes.async { [transport] in continuation.resume(returning: transport.send(bytes)) }
        }
    }

    /// Whether a request is being answered.
    var isBusy: Bool { state.withLock { $0.isBusy } }

    /// Whether the server is shutting down.
    var isDraining: Bool { state.withLock { $0.isDraining } }

    /// Starts `body` as the task of the current request, unless the server is shutting
    /// down; returns the task.
    func startRequest(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never>? {
        state.withLock { state in
            guard !state.isDraining else { return nil }
            state.isBusy = true
            let task = Task(operation: body)
            state.task = task
            return task
        }
    }

    /// Marks the current request answered.
    func endRequest() {
        state.withLock { state in
            state.isBusy = false
            state.task = nil
        }
    }

    /// Reads no request after the current one; a connection waiting for its next request is
    /// closed at once.
    func drain() {
        let isIdle = state.withLock { state in
            state.isDraining = true
            return !state.isBusy
        }
        if isIdle { transport.shutdown() }
    }

    /// Cancels the task of the current request (once: a second call does nothing more).
    func cancelRequest() {
        state.withLock { $0.task }?.cancel()
    }

    /// Cancels the task of the current request and closes the connection.
    func abort() {
        state.withLock { $0.task }?.cancel()
        transport.shutdown()
    }
}

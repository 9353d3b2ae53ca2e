import Dispatch
import JSON
import Synchronization

/// A client connection of a ``JSONRPCServer``: its socket, the tasks of its in-flight
/// requests, and its outgoing messages.
///
/// An outgoing message is written at once by the thread that sends it when nothing is
/// waiting to be written and the socket has room; otherwise (a client that reads slowly or
/// not at all) it is written in order on a serial dispatch queue of the connection, which a
/// stalled client stalls alone, never the Swift concurrency pool. Writing directly saves
/// the queue's thread hand-off on every answer (skillbench, two A/Bs: 9 % more noop runs
/// per second with 8 clients, 7 % lower p50 with one). ``UnixSocketConnection`` locks each write, so messages never interleave.
final class ServerConnection: Sendable {
    /// The socket.
    let socket: UnixSocketConnection
    private let outgoing: DispatchQueue
    /// Messages handed to `outgoing` and not yet written; while there are any, later
    /// messages go behind them. Held across a direct write and the hand-off of its rest, and
    /// while `close` queues the shutdown, so that no message overtakes or splits another,
    /// and none is cut off by the shutdown.
    private let queuedMessages = Mutex(0)
    private let state = Mutex(State())
    /// Places for requests in flight. The reader takes one before it starts a request and
    /// the request gives it back when it ends: a client that pipelines more than that
    /// waits (its socket fills, then its writes block) instead of growing the daemon.
    private let workSlots: DispatchSemaphore

    /// The most requests (or batches) of one connection in flight at once.
    static let maximumWorkInFlight = 64

    private struct State {
        /// Whether messages may still be sent and work started.
        var isOpen = true
        /// Whether new work is refused (the server is shutting down).
        var isDraining = false
        var work: [UInt64: Task<Void, Never>] = [:]
        var nextWorkID: UInt64 = 0
        /// Whether the messages queued before `close` have been written and the socket shut.
        var isFlushed = false
    }

    init(socket: UnixSocketConnection) {
        self.socket = socket
        workSlots = DispatchSemaphore(value: Self.maximumWorkInFlight)
        outgoing = DispatchQueue(label: "skillhost.jsonrpc.connection.\(socket.peer.pid).outgoing")
    }

    /// Whether the connection is open.
    var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Whether requests of this connection are still running.
    var hasWork: Bool { state.withLock { !$0.work.isEmpty } }

    /// Whether `close` has written every message queued before it and shut the socket.
    var isFlushed: Bool { state.withLock { $0.isFlushed } }

    /// Writes `message` and a newline, or queues what the socket does not take now; dropped
    /// if the connection is closed. Never waits for the client.
    func send(_ message: JSONValue) {
        guard isOpen else { return }
        let line = message.serializedLine()
        queuedMessages.withLock { queued in
            guard isOpen else { return }
            var rest = line[...]
            if queued == 0 {
                // A failed write means the client has gone; the reader thread sees that and
                // cleans up.
                guard let written = try? socket.writeWithoutWaiting(rest), written < rest.count else { return }
                rest = rest.dropFirst(written)
            }
            queued += 1
            // Queued under the lock: a message sent meanwhile cannot get between this
            // message's two parts.
            outgoing.async { [self, rest] in
                try? socket.write(Array(rest))
                queuedMessages.withLock { $0 -= 1 }
            }
        }
    }

    /// Runs `body` in a new task tracked as in-flight work of this connection, unless the
    /// connection is closed or draining.
    /// - Returns: whether the task was started.
    /// Blocks the calling (reader) thread while `maximumWorkInFlight` requests are running;
    /// gives up (returns false) if the client hangs up meanwhile, so that its running
    /// requests get cancelled and the ones it left in the socket are not started.
    func startWork(_ body: @escaping @Sendable () async -> Void) -> Bool {
        while workSlots.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if socket.peerHasHungUp || !isOpen { return false }
        }
        let started = state.withLock { state in
            guard state.isOpen, !state.isDraining else { return false }
            let id = state.nextWorkID
            state.nextWorkID += 1
            // Inserted under the lock, so the task's own removal (which takes the lock) comes after.
            state.work[id] = Task {
                await body()
                self.state.withLock { _ = $0.work.removeValue(forKey: id) }
                self.workSlots.signal()
            }
            return true
        }
        if !started { workSlots.signal() }
        return started
    }

    /// Refuses new work from now on; running work continues.
    func drain() {
        state.withLock { $0.isDraining = true }
    }

    /// Cancels the requests still running; their answers are still sent while the
    /// connection is open.
    func cancelWork() {
        for task in state.withLock({ $0.work.values }) { task.cancel() }
    }

    /// Closes the connection: cancels in-flight work, drops later messages, and shuts the
    /// socket down once the messages already queued are written.
    func close() {
        state.withLock { $0.isOpen = false }
        cancelWork()
        // Under the send lock: a message being written now is queued whole before the shutdown.
        queuedMessages.withLock { _ in
            outgoing.async { [self] in
                socket.shutdown()
                state.withLock { $0.isFlushed = true }
            }
        }
    }

    /// Closes the connection at once, without waiting for queued messages (which a client
    /// that does not read could hold up forever).
    func abort() {
        close()
        socket.shutdown()
    }
}

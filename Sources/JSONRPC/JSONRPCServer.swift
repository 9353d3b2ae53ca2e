import Foundation
import Glibc
import JSON
import Synchronization
import SystemCalls

/// A JSON-RPC 2.0 server on a Unix socket, one message (or batch) per line.
///
/// Threads: one accepts connections; one per connection reads its lines (blocking reads,
/// off the Swift concurrency pool). Every request or batch runs in a `Task` of its own,
/// so the requests of one connection run concurrently and are answered as they finish,
/// in any order. When a client disconnects, the tasks of its in-flight requests are
/// cancelled. A client that only shuts down its writing side (as `socat` does at the end
/// of its input) still gets the responses to what it sent.
///
/// What it refuses is in ``limits``: a client beyond ``JSONRPCServerLimits/maximumConnections``
/// gets the refusal (id null) and is closed at once; a line longer than
/// ``JSONRPCServerLimits/maximumRequestBytes`` is read no further, gets the refusal, and its
/// connection is closed; a batch longer than ``JSONRPCServerLimits/maximumBatchLength`` gets
/// the refusal instead of answers. Empty lines are ignored. ``update(limits:)`` changes the
/// limits while the server runs.
public final class JSONRPCServer: Sendable {
    /// The socket's path.
    public let socketPath: String
    /// What the server refuses, and how it says so: the limits in force.
    public var limits: JSONRPCServerLimits {
        currentLimits.withLock { $0 }
    }
    /// The limits, which ``update(limits:)`` replaces; read at each connection and each line.
    private let currentLimits: Mutex<JSONRPCServerLimits>
    /// The listen backlog: connections the kernel queues until they are accepted, as many
    /// as the system allows (`/proc/sys/net/core/somaxconn`); nil for a socket another
    /// process made, whose backlog it chose.
    public let listenBacklog: Int32?
    private let handler: any JSONRPCMethodHandler
    private let state: Mutex<State>
    /// Whether the thread that accepts connections is running.
    private let acceptThreadRuns = Atomic<Bool>(false)

    private struct State {
        enum Phase {
            /// Not started yet; with the listener to serve, or nil to set one up at the path.
            case created(UnixSocketListener?)
            case running(UnixSocketListener)
            case stopped
        }
        var phase: Phase
        var connections: [ObjectIdentifier: ServerConnection] = [:]
    }

    /// A server for `socketPath` that passes every call to `handler`, within `limits`.
    /// Nothing happens until ``start()``, which sets up the socket.
    public init(socketPath: String, handler: any JSONRPCMethodHandler, limits: JSONRPCServerLimits = JSONRPCServerLimits()) {
        self.socketPath = socketPath
        self.handler = handler
        currentLimits = Mutex(limits)
        listenBacklog = UnixSocketListener.systemMaximumBacklog()
        state = Mutex(State(phase: .created(nil)))
    }

    /// Replaces the limits: a connection accepted from now on is admitted under the new
    /// ``JSONRPCServerLimits/maximumConnections`` (connections already served above it stay),
    /// and every line read from now on is checked against the new line and batch limits (a
    /// line a connection was already reading is read no further than the old line limit).
    public func update(limits: JSONRPCServerLimits) {
        currentLimits.withLock { $0 = limits }
    }

    /// A server on `listener`, a socket already listening (one a service manager passed,
    /// say), that passes every call to `handler`, within `limits`. Nothing is accepted until
    /// ``start()``.
    public init(listener: UnixSocketListener, handler: any JSONRPCMethodHandler,
                limits: JSONRPCServerLimits = JSONRPCServerLimits()) {
        socketPath = listener.path
        self.handler = handler
        currentLimits = Mutex(limits)
        listenBacklog = nil
        state = Mutex(State(phase: .created(listener)))
    }

    /// Sets up the socket (see ``UnixSocketListener``), unless the server was given one, and
    /// starts accepting; returns once clients can connect.
    /// - Throws: why the socket could not be set up, e.g. another server already serves it.
    public func start() throws(UnixSocketError) {
        let listener: UnixSocketListener = try state.withLock { state throws(UnixSocketError) in
            guard case let .created(given) = state.phase else { throw .alreadyStarted }
            let listener: UnixSocketListener
            if let given {
                listener = given
            } else {
                listener = try UnixSocketListener(
                    path: socketPath, backlog: listenBacklog ?? UnixSocketListener.systemMaximumBacklog())
            }
            state.phase = .running(listener)
            return listener
        }
        acceptThreadRuns.store(true, ordering: .releasing)
        let thread = Thread { [self] in
            acceptConnections(from: listener)
            acceptThreadRuns.store(false, ordering: .releasing)
        }
        thread.name = "jsonrpc-accept"
        thread.start()
    }

    /// Whether the server accepts connections: started, not shut down, and its accepting
    /// thread still running (it ends when the socket's descriptor is lost).
    public var isAccepting: Bool {
        acceptThreadRuns.load(ordering: .acquiring) && isRunning
    }

    /// Stops accepting, lets in-flight requests finish for up to `grace`, then cancels
    /// their tasks, closes every connection and unlinks the socket. Requests that arrive
    /// meanwhile are refused with an `internal` error saying the server is shutting down.
    public func shutdown(grace: Duration) async {
        let (listener, connections) = state.withLock { state -> (UnixSocketListener?, [ServerConnection]) in
            var listener: UnixSocketListener?
            if case .running(let running) = state.phase { listener = running }
            state.phase = .stopped
            return (listener, Array(state.connections.values))
        }
        listener?.stopAccepting()
        for connection in connections { connection.drain() }
        // Requests in flight get the grace period; then they are cancelled and get a short
        // while to answer (a handler records what it was doing); then queued answers are
        // written, and only a client that does not read is cut off.
        await Self.wait(upTo: grace) { connections.contains(where: \.hasWork) }
        for connection in connections { connection.cancelWork() }
        await Self.wait(upTo: .seconds(2)) { connections.contains(where: \.hasWork) }
        for connection in connections { connection.close() }
        await Self.wait(upTo: .seconds(1)) { connections.contains { !$0.isFlushed } }
        for connection in connections { connection.abort() }
        listener?.close()
    }

    /// The descriptors the server cannot serve without, as they were opened: its listening
    /// socket and lock file while it runs; none before or after.
    package var vitalDescriptors: [DescriptorIdentity] {
        state.withLock { state in
            if case .running(let listener) = state.phase { return listener.descriptorIdentities }
            return []
        }
    }

    /// Polls `condition` every few milliseconds until it is false or `limit` has passed.
    private static func wait(upTo limit: Duration, while condition: () -> Bool) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, condition() {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    // MARK: Threads

    private func acceptConnections(from listener: UnixSocketListener) {
        while true {
            let socket: UnixSocketConnection
            do {
                socket = try listener.accept()
            } catch {
                guard isRunning, error.errno != .invalidArgument else { return }
                // The socket's descriptor was closed (or its number reused) by code in this
                // process: accepting cannot work again; the owner's watcher sees the loss.
                guard error.errno != .badFileDescriptor, error.errno != .notASocket else { return }
                // Out of descriptors or memory: give the system a moment rather than spin.
                let isExhaustion = [.tooManyOpenFiles, .tooManyOpenFilesInSystem, .noBufferSpace, .outOfMemory].contains(error.errno)
                if isExhaustion { usleep(50_000) }
                continue
            }
            let connection = ServerConnection(socket: socket)
            let limits = self.limits
            let admission = state.withLock { state -> Admission in
                guard case .running = state.phase else { return .stopped }
                guard state.connections.count < limits.maximumConnections else { return .full }
                state.connections[ObjectIdentifier(connection)] = connection
                return .admitted
            }
            switch admission {
            case .admitted:
                break
            case .full:
                refuse(socket, JSONRPCLimitExceeded.connections(limit: limits.maximumConnections), limits: limits)
                continue
            case .stopped:
                socket.shutdown()
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "jsonrpc-connection-\(socket.peer.pid)"
            thread.start()
        }
    }

    /// What becomes of a connection just accepted.
    private enum Admission {
        case admitted
        /// ``JSONRPCServerLimits/maximumConnections`` are being served.
        case full
        /// The server is shutting down.
        case stopped
    }

    /// Answers a client the server will not serve with the refusal for `exceeded`, and
    /// closes its connection, all without waiting: a new connection's socket has room for
    /// one line, and the accepting thread must not be held up by a client that does not read.
    /// The descriptor is closed when `socket` goes away, at the end of this call.
    private func refuse(_ socket: UnixSocketConnection, _ exceeded: JSONRPCLimitExceeded, limits: JSONRPCServerLimits) {
        let line = limits.response(refusing: exceeded).jsonValue.serializedLine()
        _ = try? socket.writeWithoutWaiting(line[...])
        socket.shutdown()
    }

    private var isRunning: Bool {
        state.withLock { state in
            if case .running = state.phase { return true }
            return false
        }
    }

    private func serve(_ connection: ServerConnection) {
        var reader = LineReader(connection: connection.socket, maximumLineBytes: limits.maximumRequestBytes)
        reading: while true {
            reader.maximumLineBytes = limits.maximumRequestBytes
            let event = reader.next()
            // Read again: the limits may have been lowered while the line was read.
            let current = limits
            switch event {
            case .line(let line) where line.count <= current.maximumRequestBytes:
                guard !line.allSatisfy(Self.isJSONWhitespace) else { continue }
                dispatch(JSONRPCInboundMessage(line: line, limits: current), on: connection)
            case .line, .lineTooLong:
                // The line is not read to its end: whatever the client still sends is
                // dropped with the connection.
                connection.send(current.response(refusing: .requestBytes(limit: current.maximumRequestBytes)).jsonValue)
                break reading
            case .end:
                // The client may only have shut down its writing side: answer what it sent,
                // unless it goes away completely meanwhile.
                while connection.isOpen, connection.hasWork, !connection.socket.peerHasHungUp {
                    usleep(20_000)
                }
                break reading
            }
        }
        connection.close()
        _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    // MARK: Requests

    private func dispatch(_ message: JSONRPCInboundMessage, on connection: ServerConnection) {
        switch message {
        case .rejected(let response), .single(.invalid(let response)):
            connection.send(response.jsonValue)
        case .single(.request(let request)):
            let started = connection.startWork { [self] in
                if let response = await responder(for: connection).respond(to: request) { connection.send(response.jsonValue) }
            }
            if !started, !request.isNotification { connection.send(Self.refusal(for: request.id).jsonValue) }
        case .batch(let entries):
            let started = connection.startWork { [self] in
                let responses = await responder(for: connection).respond(toBatch: entries)
                if !responses.isEmpty { connection.send(.array(responses.map(\.jsonValue))) }
            }
            if !started {
                let refusals = entries.compactMap { entry -> JSONRPCResponse? in
                    switch entry {
                    case .invalid(let response): return response
                    case .request(let request): return request.isNotification ? nil : Self.refusal(for: request.id)
                    }
                }
                if !refusals.isEmpty { connection.send(.array(refusals.map(\.jsonValue))) }
            }
        }
    }

    private func responder(for connection: ServerConnection) -> JSONRPCResponder {
        JSONRPCResponder(handler: handler, caller: .process(connection.socket.peer), connection: JSONRPCConnectionHandle(connection))
    }

    private static func refusal(for id: JSONRPCID?) -> JSONRPCResponse {
        JSONRPCResponse(id: id, error: .internalError("the server is shutting down; retry once it is back"))
    }
}

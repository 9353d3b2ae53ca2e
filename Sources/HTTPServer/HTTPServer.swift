import Dispatch
import Foundation
import Glibc
import Synchronization
import SystemCalls

/// An HTTP/1.1 server on a TCP port, in plain HTTP or over TLS (``TLSServerContext``),
/// which passes each request to an ``HTTPHandler``.
///
/// Threads, as the JSON-RPC server's: one accepts connections; one per connection reads its
/// requests with blocking reads (off the Swift concurrency pool), and answers each in a
/// `Task` of its own, the requests of one connection in turn (pipelined requests are
/// buffered until those before them are answered). A response's bytes are written by a
/// serial queue of the connection, a streamed body piece by piece as the handler writes it.
///
/// What it refuses is in ``limits``: a request it cannot read gets the status of its
/// ``HTTPRequestError`` and its connection is closed; a client beyond
/// ``HTTPServerLimits/maximumConnections`` gets 503 with `Retry-After` and is closed, without
/// the accepting thread waiting for it. A connection that sends nothing for
/// ``HTTPServerLimits/idleTimeout`` between requests is closed. Over TLS the connection's
/// thread makes the handshake first, and everything after it is the same.
///
/// ``update(limits:)`` and ``update(tls:)`` change what the server accepts and the
/// certificate it presents while it serves.
public final class HTTPServer: Sendable {
    /// The address asked for; ``boundAddress`` has the port the system picked for port 0.
    public let address: HTTPListenAddress
    private let handler: any HTTPHandler
    private let state: Mutex<State>

    private struct State {
        enum Phase {
            case created
            case running(TCPListener)
            case stopped
        }
        var phase = Phase.created
        var connections: [ObjectIdentifier: HTTPConnection] = [:]
        /// The limits in force, which ``update(limits:)`` replaces.
        var limits: HTTPServerLimits
        /// The TLS context of the connections accepted from now on; nil for plain HTTP.
        var tls: TLSServerContext?
    }

    /// A server for `address` that passes every request to `handler`, within `limits`,
    /// over TLS with `tls` (HTTPS), else in plain HTTP. Nothing happens until ``start()``.
    public init(address: HTTPListenAddress, handler: any HTTPHandler, limits: HTTPServerLimits = HTTPServerLimits(),
                tls: TLSServerContext? = nil) {
        self.address = address
        self.handler = handler
        state = Mutex(State(limits: limits, tls: tls))
    }

    /// The TLS context of the connections accepted from now on; nil for plain HTTP.
    public var tls: TLSServerContext? { state.withLock { $0.tls } }

    /// Serves the connections accepted from now on with `tls` (a context made again from
    /// renewed files, say), or in plain HTTP for nil; those accepted before go on as they are.
    public func update(tls: TLSServerContext?) {
        state.withLock { $0.tls = tls }
    }

    /// The limits in force.
    public var limits: HTTPServerLimits { state.withLock { $0.limits } }

    /// Puts `limits` in force: for connections accepted from now on (how many are served,
    /// how long a write may wait), and for the next request of every connection (its sizes,
    /// how long it may take, and how long the connection may wait for it). A connection
    /// beyond a lowered ``HTTPServerLimits/maximumConnections`` is not closed.
    public func update(limits: HTTPServerLimits) {
        state.withLock { $0.limits = limits }
    }

    /// Binds the address, listens, and starts accepting; returns the address as bound.
    /// - Throws: why it could not listen: the address does not resolve, the port is taken.
    @discardableResult
    public func start() throws(HTTPServerError) -> HTTPListenAddress {
        let listener: TCPListener = try state.withLock { state throws(HTTPServerError) in
            guard case .created = state.phase else { throw .alreadyStarted }
            let listener = try TCPListener(address: address, backlog: Int32(SOMAXCONN))
            state.phase = .running(listener)
            return listener
        }
        let thread = Thread { [self] in acceptConnections(from: listener) }
        thread.name = "http-accept"
        thread.start()
        return listener.address
    }

    /// The address being listened on, with the port the system picked; nil unless running.
    public var boundAddress: HTTPListenAddress? {
        state.withLock { state in
            if case .running(let listener) = state.phase { return listener.address }
            return nil
        }
    }

    /// How many connections are being served.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Stops accepting and closes idle connections at once; lets requests being answered
    /// finish for up to `grace`, then cancels their tasks and closes their connections.
    public func shutdown(grace: Duration) async {
        let (listener, connections) = state.withLock { state -> (TCPListener?, [HTTPConnection]) in
            var listener: TCPListener?
            if case .running(let running) = state.phase { listener = running }
            state.phase = .stopped
            return (listener, Array(state.connections.values))
        }
        listener?.stopAccepting()
        for connection in connections { connection.drain() }
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline, connections.contains(where: \.isBusy) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for connection in connections { connection.abort() }
    }

    // MARK: Threads

    /// The descriptors the server cannot serve without, as they were opened: its listening
    /// socket while it runs; none before or after.
    package var vitalDescriptors: [DescriptorIdentity] {
        state.withLock { state in
            guard case .running(let listener) = state.phase else { return [] }
            return [listener.descriptorIdentity].compactMap { $0 }
        }
    }

    private func acceptConnections(from listener: TCPListener) {
        while true {
            let socket: TCPConnection
            do {
                socket = try listener.accept()
            } catch {
                guard isRunning, error.errno != .invalidArgument, error.errno != .badFileDescriptor else { return }
                let isExhaustion = [.tooManyOpenFiles, .tooManyOpenFilesInSystem, .noBufferSpace, .outOfMemory].contains(error.errno)
                if isExhaustion { usleep(50_000) }
                continue
            }
            let (limits, tls) = state.withLock { ($0.limits, $0.tls) }
            socket.setWriteTimeout(limits.requestTimeout)
            let transport: any HTTPTransport
            if let tls {
                guard let session = TLSConnection(socket: socket, context: tls, writeTimeout: limits.requestTimeout) else {
                    socket.shutdown()
                    continue
                }
                transport = session
            } else {
                transport = socket
            }
            let connection = HTTPConnection(transport: transport)
            let admitted = state.withLock { state -> Bool? in
                guard case .running = state.phase else { return nil }
                guard state.connections.count < limits.maximumConnections else { return false }
                state.connections[ObjectIdentifier(connection)] = connection
                return true
            }
            switch admitted {
            case true?:
                let thread = Thread { [self] in serve(connection) }
                thread.name = "http-connection"
                thread.start()
            case false? where tls != nil:
                // A refusal would need the handshake first, which this thread does not wait for.
                socket.shutdown()
            case false?:
                refuseWithoutWaiting(socket, limits: limits)
            case nil:
                socket.shutdown()
                return
            }
        }
    }

    /// Answers a client beyond the connection limit with 503, without waiting for it: a new
    /// connection's socket buffer has room for the short answer.
    private func refuseWithoutWaiting(_ socket: TCPConnection, limits: HTTPServerLimits) {
        let answer = HTTPResponseHead.refusal(
            .serviceUnavailable, "the server is serving as many connections as it may (\(limits.maximumConnections)); retry shortly",
            extraHeaders: ["Retry-After": "\(limits.retryAfterSeconds)"])
        socket.setWriteTimeout(.milliseconds(1))
        socket.send(answer)
        socket.shutdown()
    }

    private var isRunning: Bool {
        state.withLock { state in
            if case .running = state.phase { return true }
            return false
        }
    }

    /// How long a connection whose request was refused may go on sending before it is
    /// closed: long enough for the refusal to reach the client.
    static let lingerAfterRefusal = Duration.seconds(2)
    /// How often a connection whose request is being answered is checked for the client
    /// having closed it.
    static let closeCheckInterval = DispatchTimeInterval.milliseconds(100)

    /// Serves `connection`'s requests until it closes, on its own thread; the TLS handshake
    /// first, within the request timeout.
    private func serve(_ connection: HTTPConnection) {
        let transport = connection.transport
        defer {
            transport.shutdown()
            _ = state.withLock { $0.connections.removeValue(forKey: ObjectIdentifier(connection)) }
        }
        var reader = HTTPRequestReader(source: HTTPTransportByteSource(transport: transport), limits: limits)
        guard transport.establish(before: .now + reader.limits.requestTimeout) else { return }
        while !connection.isDraining {
            reader.limits = limits
            let request: HTTPRequest
            do throws(HTTPRequestError) {
                guard var read = try reader.nextRequest(sendContinue: {
                    transport.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }) else { break }
                read.remoteAddress = transport.remoteAddress
                request = read
            } catch {
                transport.send(HTTPResponseHead.refusal(error.status, error.description))
                transport.closeLingering(for: Self.lingerAfterRefusal)
                break
            }
            let answered = DispatchSemaphore(value: 0)
            let keepAlive = Atomic<Bool>(false)
            let task = connection.startRequest { [handler] in
                let response = await handler.respond(to: request)
                let kept = await Self.write(response, to: request, on: connection)
                keepAlive.store(kept, ordering: .releasing)
                answered.signal()
            }
            guard task != nil else {
                transport.send(HTTPResponseHead.refusal(.serviceUnavailable, "the server is shutting down; retry once it is back",
                                                        extraHeaders: ["Retry-After": "\(reader.limits.retryAfterSeconds)"]))
                break
            }
            // A client that closes its connection while the handler works (a stream it stops
            // reading, a run it gave up on) has the handler's task cancelled.
            while answered.wait(timeout: .now() + Self.closeCheckInterval) == .timedOut {
                if connection.transport.clientHasClosed { connection.cancelRequest() }
            }
            connection.endRequest()
            guard keepAlive.load(ordering: .acquiring) else { break }
        }
    }

    /// Writes `response` to `request`; returns whether the connection may serve another request.
    private static func write(_ response: HTTPResponse, to request: HTTPRequest, on connection: HTTPConnection) async -> Bool {
        let hasNoBody = request.method == "HEAD" || response.status.code == 204 || response.status.code == 304
        var keepAlive = request.wantsKeepAlive && !connection.isDraining
        switch response.body {
        case .bytes(let body):
            let head = HTTPResponseHead.bytes(of: response, framing: .length(body.count), keepAlive: keepAlive,
                                              clientVersion: request.version)
            return await connection.send(hasNoBody ? head : head + body) && keepAlive
        case .stream(let produce):
            let isChunked = request.version == .http1_1
            if !isChunked { keepAlive = false }
            let head = HTTPResponseHead.bytes(of: response, framing: isChunked ? .chunked : .untilClose, keepAlive: keepAlive,
                                              clientVersion: request.version)
            guard await connection.send(head) else { return false }
            if hasNoBody { return keepAlive }
            let writer = HTTPResponseBodyWriter(isChunked: isChunked) { await connection.send($0) }
            await produce(writer)
            guard isChunked else { return false }
            return await connection.send(Array("0\r\n\r\n".utf8)) && keepAlive
        }
    }
}

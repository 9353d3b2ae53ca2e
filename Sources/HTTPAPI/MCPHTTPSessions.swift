import JSON
import MCP
import SystemCalls
import Synchronization

/// The MCP sessions the daemon serves over Streamable HTTP (`/mcp`), by session id.
///
/// A session is made by an `initialize` and belongs to the token that made it: another
/// token's requests do not find it. It ends when its client deletes it, after
/// ``idleLimit`` without a request, or with the daemon. At most ``maximumSessions``
/// live at once; one more `initialize` is refused (503) rather than end another client's
/// session. A `Mutex` over the table: requests of any connection look it up.
final class MCPHTTPSessions: Sendable {
    /// One session, and where the notifications that concern no request go.
    final class Entry: Sendable {
        /// The session.
        let session: MCPSession
        /// The name of the token that made it.
        let tokenName: String
        /// Where the session's own notifications (`notifications/tools/list_changed`) go: the
        /// open `GET /mcp` stream, if any; they are dropped while none is open (a client that
        /// reconnects lists the tools again).
        private let listener = Listener()
        /// When a request last named it.
        fileprivate let lastUse = Mutex(ContinuousClock.now)

        fileprivate init(tokenName: String, makeSession: (@escaping MCPSession.Sink) -> MCPSession) {
            self.tokenName = tokenName
            session = makeSession { [listener] message in listener.send(message) }
        }

        /// A stream of the session's notifications from now on; the stream opened before, if
        /// any, ends.
        func listen() -> AsyncStream<JSONValue> {
            listener.open()
        }

        /// Ends the session and its stream.
        fileprivate func close() {
            session.close()
            listener.finish()
        }
    }

    /// The open stream of a session's notifications. A `Mutex`: the session sends from its
    /// tasks, and a `GET /mcp` opens the stream from another.
    private final class Listener: Sendable {
        private let current = Mutex<AsyncStream<JSONValue>.Continuation?>(nil)

        func send(_ message: JSONValue) {
            current.withLock { $0 }?.yield(message)
        }

        func open() -> AsyncStream<JSONValue> {
            let (stream, continuation) = AsyncStream<JSONValue>.makeStream()
            current.withLock { current in
                current?.finish()
                current = continuation
            }
            return stream
        }

        func finish() {
            current.withLock { current in
                current?.finish()
                current = nil
            }
        }
    }

    /// The most sessions at once.
    static let maximumSessions = 256
    /// How long a session lives without a request.
    static let idleLimit = Duration.seconds(30 * 60)

    private let entries = Mutex<[String: Entry]>([:])

    /// A new session of `tokenName`, made by `makeSession` with the sink of its own
    /// notifications, and its id; nil when ``maximumSessions`` live already.
    func create(tokenName: String, makeSession: (@escaping MCPSession.Sink) -> MCPSession) throws(SystemCallError) -> (String, Entry)? {
        let id = try KernelRandom.bytes(count: 24).map { byte in String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16) }.joined()
        expireIdle()
        let entry = Entry(tokenName: tokenName, makeSession: makeSession)
        let added = entries.withLock { entries -> Bool in
            guard entries.count < Self.maximumSessions else { return false }
            entries[id] = entry
            return true
        }
        guard added else {
            entry.close()
            return nil
        }
        return (id, entry)
    }

    /// The session `id` of `tokenName`, marked as used now; nil when there is none (any more).
    func find(_ id: String, tokenName: String) -> Entry? {
        expireIdle()
        guard let entry = entries.withLock({ $0[id] }), entry.tokenName == tokenName else { return nil }
        entry.lastUse.withLock { $0 = .now }
        return entry
    }

    /// Ends the session `id` of `tokenName`; whether there was one.
    func remove(_ id: String, tokenName: String) -> Bool {
        let removed = entries.withLock { entries -> Entry? in
            guard entries[id]?.tokenName == tokenName else { return nil }
            return entries.removeValue(forKey: id)
        }
        removed?.close()
        return removed != nil
    }

    private func expireIdle() {
        let cutoff = ContinuousClock.now - Self.idleLimit
        let expired = entries.withLock { entries -> [Entry] in
            let stale = entries.filter { $0.value.lastUse.withLock { $0 } < cutoff }
            for id in stale.keys { entries.removeValue(forKey: id) }
            return Array(stale.values)
        }
        for entry in expired { entry.close() }
    }
}

import JSON
import JSONRPC
import SkillhostModel
import SkillhostProtocol
import Synchronization

/// One MCP client's session with skillhost, whatever carries its messages: each installed
/// skill is a tool, and calling one runs the skill.
///
/// A transport gives the session every message the client sends (``receive(_:reply:)``)
/// and writes what the session sends back: through `reply`, the answer to a request and
/// the notifications about it (`notifications/progress`), the answer last; through the
/// session's `notify`, what concerns no request (`notifications/tools/list_changed`). Over
/// stdio both are the one output stream; over Streamable HTTP, `reply` is the answer to
/// the POST that carried the request (JSON, or an event stream when notifications come
/// first) and `notify` the session's own event stream.
///
/// The session speaks the revisions of ``MCPProtocolRevision``, declares the `tools`
/// capability with `listChanged` (when the daemon has `skills.watch`), and serves
/// `initialize`, `ping`, `tools/list`, `tools/call`, `notifications/initialized` and
/// `notifications/cancelled`.
public final class MCPSession: Sendable {
    /// Where the session's messages go: one JSON-RPC message each, to be written whole.
    public typealias Sink = @Sendable (JSONValue) -> Void

    /// How the server names itself in `initialize`.
    public static let serverName = "skillhost"

    private let skillhost: any MCPSkillhost
    private let notify: Sink
    /// The session's phase and its requests in flight. A `Mutex`: messages are received on
    /// the transport's thread while requests end on the concurrency pool.
    private let state = Mutex(State())

    private struct State {
        /// Where `initialize` is.
        var phase = Phase.new
        /// The tasks of the requests being answered, by id.
        var requests: [JSONRPCID: Task<Void, Never>] = [:]
        /// The requests in flight that the client cancelled: they get no answer.
        var cancelled: Set<JSONRPCID> = []
        /// Whether ``close()`` was called.
        var isClosed = false
    }

    private enum Phase {
        /// `initialize` has not come.
        case new
        /// `initialize` is being answered, with this revision: requests sent meanwhile are
        /// served in it (a client should wait for the answer, but nothing is lost if it does not).
        case initializing(MCPProtocolRevision)
        /// `initialize` was answered, with this revision.
        case initialized(MCPProtocolRevision)
    }

    /// A session that serves the skills of `skillhost` and sends what concerns no request to
    /// `notify`. The skillhost is the session's own: its watch is this session's, and
    /// ``close()`` closes it.
    public init(skillhost: any MCPSkillhost, notify: @escaping Sink) {
        self.skillhost = skillhost
        self.notify = notify
    }

    /// The revision agreed on by `initialize`; nil before it was answered.
    public var protocolRevision: MCPProtocolRevision? {
        guard case .initialized(let revision) = state.withLock(\.phase) else { return nil }
        return revision
    }

    /// Handles one message from the client.
    ///
    /// A request is answered through `reply`, from a task of its own: the returned task,
    /// which ends once the answer is sent (or dropped, for a request the client cancelled).
    /// Cancelling that task cancels the request as `notifications/cancelled` does, and its
    /// answer is still sent. A notification, a response, or a message that is not valid
    /// JSON-RPC (answered at once with `invalid_request`) returns nil. Messages are taken in
    /// the order this method is called, so a cancellation that follows its request finds it.
    @discardableResult
    public func receive(_ message: JSONValue, reply: @escaping Sink) -> Task<Void, Never>? {
        if case .array = message {
            reply(JSONRPCResponse(id: nil, error: .invalidRequest(
                "a batch: MCP messages come one at a time (batches were dropped in revision 2025-06-18)")).jsonValue)
            return nil
        }
        // The server sends no requests, so a response answers nothing.
        if JSONRPCResponse(message) != nil { return nil }
        switch JSONRPCRequest.validate(message) {
        case .invalid(let response):
            reply(response.jsonValue)
            return nil
        case .request(let request) where request.isNotification:
            receive(notification: request)
            return nil
        case .request(let request):
            guard let id = request.id else {
                reply(JSONRPCResponse(id: nil, error: .invalidRequest("an MCP request's \"id\" must not be null")).jsonValue)
                return nil
            }
            return start(request, id: id, reply: reply)
        }
    }

    /// Ends the session: cancels its requests in flight (their runs end as `cancelled`, and
    /// they get no answer) and the watch of the skills; later requests are refused.
    public func close() {
        let requests = state.withLock { state in
            state.isClosed = true
            state.cancelled.formUnion(state.requests.keys)
            return state.requests.values
        }
        for request in requests { request.cancel() }
        skillhost.close()
    }

    // MARK: Requests

    private func start(_ request: JSONRPCRequest, id: JSONRPCID, reply: @escaping Sink) -> Task<Void, Never>? {
        let started = state.withLock { state -> Result<Task<Void, Never>, JSONRPCError> in
            if state.isClosed { return .failure(.invalidRequest("the session is closed")) }
            if state.requests[id] != nil {
                return .failure(.invalidRequest("the id \(id) is already used by a request in flight"))
            }
            // Stored under the lock, so the task's own removal (which takes it) comes after.
            let task = Task { [self] in
                let outcome: Result<JSONValue, JSONRPCError>
                do throws(JSONRPCError) {
                    outcome = .success(try await answer(request, reply: reply))
                } catch {
                    outcome = .failure(error)
                }
                let wasCancelled = self.state.withLock { state in
                    state.requests[id] = nil
                    return state.cancelled.remove(id) != nil
                }
                if !wasCancelled { reply(JSONRPCResponse(id: id, outcome: outcome).jsonValue) }
            }
            state.requests[id] = task
            return .success(task)
        }
        switch started {
        case .success(let task):
            return task
        case .failure(let refusal):
            reply(JSONRPCResponse(id: id, error: refusal).jsonValue)
            return nil
        }
    }

    private func answer(_ request: JSONRPCRequest, reply: @escaping Sink) async throws(JSONRPCError) -> JSONValue {
        switch MCPMethod(rawValue: request.method) {
        case .initialize:
            return try await initialize(JSONRPCParams(request.params))
        case .ping:
            return .object([:])
        case .listTools:
            return try await listTools(revision: try initializedRevision(for: request.method))
        case .callTool:
            let revision = try initializedRevision(for: request.method)
            return try await callTool(JSONRPCParams(request.params), revision: revision, reply: reply)
        case nil:
            throw .methodNotFound(request.method)
        }
    }

    private func initializedRevision(for method: String) throws(JSONRPCError) -> MCPProtocolRevision {
        switch state.withLock(\.phase) {
        case .new: throw .invalidRequest("\(method) before initialize: call initialize first")
        case .initializing(let revision), .initialized(let revision): return revision
        }
    }

    /// Agrees on a revision and starts watching the skills, so that a change from now on is
    /// announced as `notifications/tools/list_changed`.
    private func initialize(_ params: JSONRPCParams) async throws(JSONRPCError) -> JSONValue {
        let requested = try params.required("protocolVersion", as: String.self)
        let revision = MCPProtocolRevision.negotiated(requested: requested)
        let isFirst = state.withLock { state in
            guard case .new = state.phase else { return false }
            state.phase = .initializing(revision)
            return true
        }
        guard isFirst else { throw .invalidRequest("initialize was already called in this session") }
        var listChanged = true
        do {
            _ = try await skillhost.watchSkills { [notify] _ in
                notify(JSONRPCRequest.notification(method: MCPNotificationMethod.toolListChanged.rawValue).jsonValue)
            }
        } catch where error.code == JSONRPCError.StandardCode.methodNotFound {
            // A daemon without skills.watch: the tools are served, their changes not announced.
            listChanged = false
        } catch {
            state.withLock { $0.phase = .new }
            throw error
        }
        state.withLock { $0.phase = .initialized(revision) }
        return [
            "protocolVersion": .string(revision.rawValue),
            "capabilities": ["tools": ["listChanged": .bool(listChanged)]],
            "serverInfo": ["name": .string(Self.serverName), "version": .string(SkillhostRelease.version)],
            "instructions": """
                Each tool is a skill installed in skillhostd; calling it runs the skill on the arguments \
                as its JSON input. The result's _meta names the run (skillhost/run_id), which `skillctl runs` lists.
                """,
        ]
    }

    private func listTools(revision: MCPProtocolRevision) async throws(JSONRPCError) -> JSONValue {
        let skills = try await skillhost.send(ListSkillsRequest()).skills
        return ["tools": .array(MCPTool.tools(of: skills).map { $0.json(for: revision) })]
    }

    /// Runs the skill the tool is: streamed when the client asked for progress, each piece of
    /// output and each log line then a `notifications/progress`.
    private func callTool(_ params: JSONRPCParams, revision: MCPProtocolRevision,
                          reply: @escaping Sink) async throws(JSONRPCError) -> JSONValue {
        let name = try params.required("name", as: String.self)
        let arguments = try params.optional("arguments", as: [String: JSONValue].self) ?? [:]
        // `NAME@VERSION` runs a version; a tool is a name only.
        guard !name.contains("@") else { throw Self.unknownTool(name) }
        let progress = MCPProgress(params.value?["_meta"]?["progressToken"], revision: revision, reply: reply)
        let run = RunSkillRequest(skill: name, input: .object(arguments), stream: progress == nil ? nil : true)
        do {
            let result = try await skillhost.send(run) { method, params in progress?.report(method: method, params: params) }
            return MCPToolResult.succeeded(result, revision: revision)
        } catch {
            // A run that was recorded carries its id; `not_found` without one is no such skill.
            if error.errorKind == .notFound, error.data?["run_id"] == nil { throw Self.unknownTool(name) }
            guard let kind = error.errorKind, RunSkillRequest.errorKinds.contains(kind) else { throw error }
            return MCPToolResult.failed(error)
        }
    }

    private static func unknownTool(_ name: String) -> JSONRPCError {
        .invalidParams("unknown tool \(JSONValue.string(name).serialized()): tools/list lists the installed skills",
                       extra: ["tool": .string(name)])
    }

    // MARK: Notifications

    private func receive(notification: JSONRPCRequest) {
        switch MCPNotificationMethod(rawValue: notification.method) {
        case .cancelled:
            guard let id = notification.params?["requestId"].flatMap(JSONRPCID.init) else { return }
            let request = state.withLock { state -> Task<Void, Never>? in
                guard let request = state.requests[id] else { return nil }
                state.cancelled.insert(id)
                return request
            }
            request?.cancel()
        case .initialized, .progress, .toolListChanged, nil:
            // `initialized` needs nothing done; the others are the server's, or for features not served.
            break
        }
    }
}

import HTTPServer
import JSON
import JSONRPC
import MCP
import SkillhostModel

/// `/mcp`: skills as MCP tools over Streamable HTTP, for a token of scope `run` (narrowed
/// to its skills, ``TokenScopedSkillhost``).
///
/// - `POST` one JSON-RPC message. An `initialize` makes a session, whose id the answer
///   carries in `Mcp-Session-Id`; every later message names it in that header (400
///   without it, 404 for a session that ended or another token's). A notification or a
///   response is taken with 202. A request is answered with its response as JSON, or, when
///   the client accepts `text/event-stream`, as a stream of `message` events: the request's
///   progress notifications as they come, then its response. A client that goes away
///   cancels the request (and its run).
/// - `GET` with the session's id: a stream of the session's own notifications
///   (`notifications/tools/list_changed`) until the client closes it.
/// - `DELETE` with the session's id ends the session (its runs in flight are cancelled).
///
/// A request that comes with an `Origin` of another host than the one it was sent to is
/// refused (403): a web page must not reach a daemon on the user's machine through the
/// user's browser.
enum MCPRoute {
    /// The header that carries the session's id.
    static let sessionHeader = "Mcp-Session-Id"

    @Sendable static func post(_ request: HTTPRouteRequest) async -> HTTPResponse {
        if let refusal = refusalOfOrigin(request) { return refusal }
        let http = request.request
        guard http.mediaType == "application/json" else {
            var refusal = HTTPResponse.failure(.invalidRequest, "/mcp takes one JSON-RPC message as application/json")
            refusal.status = .unsupportedMediaType
            return refusal
        }
        let message: JSONValue
        do throws(JSONParseError) {
            message = try JSONValue(parsing: http.body)
        } catch {
            return .failure(.parseError(error.description))
        }
        let entry: MCPHTTPSessions.Entry
        var sessionID: String?
        switch session(of: request, for: message) {
        case let .success((id, found, isNew)):
            entry = found
            if isNew { sessionID = id }
        case let .failure(refusal):
            return refusal.response
        }
        let (replies, sink) = AsyncStream<JSONValue>.makeStream()
        guard let task = entry.session.receive(message, reply: { sink.yield($0) }) else {
            sink.finish()
            // A message the session refused at once (not JSON-RPC, a batch) has its error here.
            var refusal: JSONRPCError?
            for await reply in replies {
                if case let .failure(error)? = JSONRPCResponse(reply)?.outcome { refusal = error }
            }
            return refusal.map { .failure($0) } ?? HTTPResponse(status: .accepted)
        }
        Task {
            await task.value
            sink.finish()
        }
        var response: HTTPResponse
        if http.accepts("text/event-stream") {
            response = HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store"]) { writer in
                await withTaskCancellationHandler {
                    do throws(HTTPClientGone) {
                        for await reply in replies {
                            try await writer.writeEvent("message", data: reply.serialized())
                        }
                    } catch {
                        task.cancel()
                    }
                } onCancel: {
                    task.cancel()
                }
            }
        } else {
            var last: JSONValue?
            await withTaskCancellationHandler {
                for await reply in replies { last = reply }
            } onCancel: {
                task.cancel()
            }
            response = last.map { .json($0) } ?? HTTPResponse(status: .accepted)
        }
        if let sessionID { response.headers.append(name: sessionHeader, value: sessionID) }
        return response
    }

    @Sendable static func listen(_ request: HTTPRouteRequest) async -> HTTPResponse {
        if let refusal = refusalOfOrigin(request) { return refusal }
        let entry: MCPHTTPSessions.Entry
        switch existingSession(of: request) {
        case let .success(found): entry = found
        case let .failure(refusal): return refusal.response
        }
        guard request.request.accepts("text/event-stream") else {
            var refusal = HTTPResponse.failure(.invalidRequest, "GET /mcp is a stream: send Accept: text/event-stream")
            refusal.status = .notAcceptable
            return refusal
        }
        let notifications = entry.listen()
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store"]) { writer in
            do throws(HTTPClientGone) {
                for await notification in notifications {
                    try await writer.writeEvent("message", data: notification.serialized())
                }
            } catch {
                return
            }
        }
    }

    @Sendable static func delete(_ request: HTTPRouteRequest) async -> HTTPResponse {
        if let refusal = refusalOfOrigin(request) { return refusal }
        guard let id = request.request.headers[sessionHeader] else {
            return .failure(.invalidRequest, "DELETE /mcp names the session to end in \(sessionHeader)")
        }
        guard request.services.mcpSessions.remove(id, tokenName: request.token?.name ?? "") else {
            return .failure(.notFound, "no MCP session \(id) of this token: it ended, or was never made")
        }
        return HTTPResponse(status: .noContent)
    }

    /// The session a POSTed `message` goes to: a new one for an `initialize` without a
    /// session id, else the one the header names.
    private static func session(of request: HTTPRouteRequest, for message: JSONValue)
        -> Result<(String, MCPHTTPSessions.Entry, isNew: Bool), RouteRefusal>
    {
        guard message["method"]?.stringValue == MCPMethod.initialize.rawValue, request.request.headers[sessionHeader] == nil else {
            return existingSession(of: request).map { (request.request.headers[sessionHeader] ?? "", $0, false) }
        }
        let token = request.token
        let tokenName = token?.name ?? ""
        let made: (String, MCPHTTPSessions.Entry)?
        do {
            made = try request.services.mcpSessions.create(tokenName: tokenName) { notify in
                let skillhost = TokenScopedSkillhost(
                    base: InProcessSkillhost(handler: request.services.protocolHandler, caller: request.caller),
                    tokenName: tokenName, allows: { request.tokenAllows(skill: $0) })
                return MCPSession(skillhost: skillhost, notify: notify)
            }
        } catch {
            return .failure(RouteRefusal(.failure(.internal, "cannot make an MCP session id: \(error)")))
        }
        guard let (id, entry) = made else {
            var refusal = HTTPResponse.failure(.overloaded, "the daemon serves \(MCPHTTPSessions.maximumSessions) MCP sessions, "
                + "the most it keeps: end one (DELETE /mcp) or retry once one has idled out")
            refusal.status = .serviceUnavailable
            return .failure(RouteRefusal(refusal))
        }
        return .success((id, entry, true))
    }

    /// The session the request's `Mcp-Session-Id` names, of its token.
    private static func existingSession(of request: HTTPRouteRequest) -> Result<MCPHTTPSessions.Entry, RouteRefusal> {
        guard let id = request.request.headers[sessionHeader] else {
            return .failure(RouteRefusal(.failure(.invalidRequest, "this request names no MCP session: send \(sessionHeader) "
                + "with the id that the answer to initialize gave")))
        }
        guard let entry = request.services.mcpSessions.find(id, tokenName: request.token?.name ?? "") else {
            return .failure(RouteRefusal(.failure(.notFound, "no MCP session \(id) of this token: it ended or was never made; "
                + "initialize a new one")))
        }
        return .success(entry)
    }

    /// The 403 for a request from a web page of another origin than the daemon, or nil.
    private static func refusalOfOrigin(_ request: HTTPRouteRequest) -> HTTPResponse? {
        guard let origin = request.request.headers["Origin"] else { return nil }
        let host = request.request.headers["Host"] ?? ""
        let authority = origin.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? ""
        guard authority.lowercased() != host.lowercased() else { return nil }
        return .failure(.permissionDenied, "/mcp refuses requests from web pages of another origin (\(origin))")
    }
}

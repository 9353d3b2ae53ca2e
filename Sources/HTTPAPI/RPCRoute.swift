import HTTPServer
import JSON
import JSONRPC
import SkillhostModel

/// `POST /rpc`: one JSON-RPC 2.0 message or batch of the socket's protocol
/// (docs/PROTOCOL.md) as the body, answered as the socket answers it, with the same methods,
/// errors and limits (`max_request_bytes`, `max_batch_length`), in the name of the admin
/// token that called: 200 with the response (or the batch's array), 204 when there is none
/// to give (notifications only).
///
/// What acts as a user of this machine, or loosens a skill's sandbox, is refused to a token
/// (`permission_denied`): `tokens.*`, `skills.install`, `skills.grant`, `skills.set_isolation`,
/// `input_file`, `api_key_env` and `api_key_file`.
///
/// The notifications a call sends its caller (a streamed `skills.run`'s, `batches.wait`'s
/// progress) reach it only as a stream: with `Accept: text/event-stream` each is a
/// `notification` event, and the response is the last event, `response`.
enum RPCRoute {
    @Sendable static func answer(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let http = request.request
        guard http.mediaType == nil || http.mediaType == "application/json" else {
            return .failure(.invalidRequest, "/rpc takes application/json, not \(http.mediaType ?? "")",
                            status: .unsupportedMediaType)
        }
        let limits = request.services.protocolLimits()
        guard http.body.count <= limits.maximumRequestBytes else {
            return .failure(.invalidRequest, "the message is \(http.body.count) bytes, more than "
                + "\(limits.maximumRequestBytes), the limit set by max_request_bytes: it was not read", status: .contentTooLarge)
        }
        guard http.accepts("text/event-stream") else {
            let connection = InMemoryJSONRPCConnection(
                handler: request.services.protocolHandler, caller: request.caller, limits: limits,
                forwardingNotificationsTo: { _ in })
            defer { connection.close() }
            guard let response = await connection.exchange(message: http.body) else { return HTTPResponse(status: .noContent) }
            return .json(response)
        }
        let body = http.body
        let stream = RouteEventStream { send in
            let connection = InMemoryJSONRPCConnection(
                handler: request.services.protocolHandler, caller: request.caller, limits: limits,
                forwardingNotificationsTo: { send(RouteEventStream.Event(name: "notification", data: $0.jsonValue)) })
            defer { connection.close() }
            if let response = await connection.exchange(message: body) {
                send(RouteEventStream.Event(name: "response", data: response))
            }
        }
        return stream.response()
    }
}

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
/// What acts as a user of this machine is refused to a token (`permission_denied`):
/// `tokens.*`, `skills.install`, `input_file`, `api_key_env` and `api_key_file`.
///
/// The notifications a call sends its caller (a streamed `skills.run`'s, `batches.wait`'s
/// progress) reach it only as a stream: with `Accept: text/event-stream` each is a
/// `notification` event, and the response is the last event, `response`.
enum RPCRoute {
    @Sendable static func answer(_ request: HTTPRouteRequest) async -> HTTPResponse {
        let http = request.request
        guard http.mediaType == nil || http.mediaType == "application/json" else {
            var refusal = HTTPResponse.failure(.invalidRequest, "/rpc takes application/json, not \(http.mediaType ?? "")")
            refusal.status = .unsupportedMediaType
            return refusal
        }
        let limits = request.services.protocolLimits()
        guard http.body.count <= limits.maximumRequestBytes else {
            var refusal = HTTPResponse.failure(.invalidRequest, "the message is \(http.body.count) bytes, more than "
                + "\(limits.maximumRequestBytes), the limit set by max_request_bytes: it was not read")
            refusal.status = .contentTooLarge
            return refusal
        }
        guard http.accepts("text/event-stream") else {
            let connection = InMemoryJSONRPCConnection(
                handler: request.services.protocolHandler, caller: request.caller, limits: limits,
                forwardingNotificationsTo: { _ in })
            defer { connection.close() }
            guard let response = await connection.exchange(message: http.body) else { return HTTPResponse(status: .noContent) }
            return .json(response)
        }
        let (events, sink) = AsyncStream<(name: String, data: JSONValue)>.makeStream()
        let connection = InMemoryJSONRPCConnection(
            handler: request.services.protocolHandler, caller: request.caller, limits: limits,
            forwardingNotificationsTo: { sink.yield(("notification", $0.jsonValue)) })
        let body = http.body
        let exchange = Task {
            if let response = await connection.exchange(message: body) { sink.yield(("response", response)) }
            sink.finish()
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-store"]) { writer in
            await withTaskCancellationHandler {
                do throws(HTTPClientGone) {
                    for await event in events {
                        try await writer.writeEvent(event.name, data: event.data.serialized())
                    }
                } catch {
                    exchange.cancel()
                }
                connection.close()
            } onCancel: {
                exchange.cancel()
            }
        }
    }
}

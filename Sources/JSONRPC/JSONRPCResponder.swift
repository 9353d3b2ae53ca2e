import JSON
/// Answers the requests of one connection with a handler: what a ``JSONRPCServer`` does
/// with each line once it is read, and an ``InMemoryJSONRPCConnection`` with each line it
/// is given.
struct JSONRPCResponder: Sendable {
    let handler: any JSONRPCMethodHandler
    let caller: JSONRPCCaller
    let connection: JSONRPCConnectionHandle

    /// The response to `message` (a single response or a batch's array), or `nil` when
    /// nothing is to be answered (notifications only).
    func respond(to message: JSONRPCInboundMessage) async -> JSONValue? {
        switch message {
        case .rejected(let response), .single(.invalid(let response)):
            return response.jsonValue
        case .single(.request(let request)):
            return await respond(to: request)?.jsonValue
        case .batch(let entries):
            let responses = await respond(toBatch: entries)
            return responses.isEmpty ? nil : .array(responses.map(\.jsonValue))
        }
    }

    /// Runs every entry of a batch concurrently; the responses keep the batch's order.
    func respond(toBatch entries: [JSONRPCInboundEntry]) async -> [JSONRPCResponse] {
        await withTaskGroup(of: (Int, JSONRPCResponse?).self) { group in
            for (index, entry) in entries.enumerated() {
                switch entry {
                case .invalid(let response):
                    group.addTask { (index, response) }
                case .request(let request):
                    group.addTask { (index, await respond(to: request)) }
                }
            }
            var responses = [JSONRPCResponse?](repeating: nil, count: entries.count)
            for await (index, response) in group { responses[index] = response }
            return responses.compactMap { $0 }
        }
    }

    /// Calls the handler; returns the response to send, or `nil` for a notification.
    func respond(to request: JSONRPCRequest) async -> JSONRPCResponse? {
        let call = JSONRPCCall(method: request.method, params: request.params, isNotification: request.isNotification,
                               caller: caller, connection: connection)
        let outcome: Result<JSONValue, JSONRPCError>
        do {
            outcome = .success(try await handler.handle(call))
        } catch {
            outcome = .failure(error)
        }
        return request.isNotification ? nil : JSONRPCResponse(id: request.id, outcome: outcome)
    }
}

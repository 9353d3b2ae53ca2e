import JSON
import JSONRPC

/// The daemon's dispatch table: one handler per method, registered by the method's
/// declaration, which decodes the params before the handler runs and encodes its result.
///
/// ```swift
/// var handlers = RequestHandlers()
/// handlers.register(GetRunRequest.self) { request, call in try run(id: request.runID) }
/// ```
public struct RequestHandlers: Sendable {
    /// What handles one method: the decoded request, and the call it came in (its peer and
    /// connection).
    public typealias Handler<Request: SkillhostRequest> = @Sendable (Request, JSONRPCCall) async throws -> Request.Result

    private typealias Erased = @Sendable (JSONRPCCall) async throws -> JSONValue

    private var handlers: [ObjectIdentifier: Erased] = [:]

    /// An empty table.
    public init() {}

    /// Makes `handler` the handler of `request`, replacing any other.
    public mutating func register<Request: SkillhostRequest>(_ request: Request.Type, _ handler: @escaping Handler<Request>) {
        handlers[ObjectIdentifier(request)] = { call in
            try Request.encodeResult(try await handler(try Request.decodeParams(call.params), call))
        }
    }

    /// The methods of ``SkillhostMessages/requests`` that no handler is registered for.
    public var unhandledRequests: [any SkillhostRequest.Type] {
        SkillhostMessages.requests.filter { handlers[ObjectIdentifier($0)] == nil }
    }

    /// Handles `call` by its method's handler.
    /// - Throws: `method_not_found` for a method that is not declared or has no handler;
    ///   `invalid_params` for params the declaration refuses; the handler's error as its
    ///   ``JSONRPCErrorConvertible/rpcError``; any other error as `internal`.
    public func handle(_ call: JSONRPCCall) async throws(JSONRPCError) -> JSONValue {
        guard let request = SkillhostMessages.request(named: call.method),
              let handler = handlers[ObjectIdentifier(request)]
        else { throw .methodNotFound(call.method) }
        do {
            return try await handler(call)
        } catch let error as JSONRPCError {
            throw error
        } catch let error as any JSONRPCErrorConvertible {
            throw error.rpcError
        } catch {
            throw .internalError("\(call.method) failed: \(error)")
        }
    }
}

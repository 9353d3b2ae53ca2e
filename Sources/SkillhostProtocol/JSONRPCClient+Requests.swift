import JSON
import JSONRPC

extension JSONRPCClient {
    /// Calls `request`'s method with its params and reads the result through its declaration.
    /// - Throws: the daemon's error, why no answer came, or
    ///   ``JSONRPCClientError/unreadableResult(method:reason:)`` for an answer that is not
    ///   the declared result.
    public func send<Request: SkillhostRequest>(_ request: Request) async throws(JSONRPCClientError) -> Answer<Request> {
        let params: JSONValue
        do {
            params = try request.params
        } catch {
            throw .server(error)
        }
        let json = try await call(Request.method, params: params)
        do {
            return Answer(result: try Request.decodeResult(json), json: json)
        } catch {
            throw .unreadableResult(method: Request.method, reason: error.description)
        }
    }
}

/// The daemon's answer to a request: its result, and the JSON it came as (for programs
/// that want it as the daemon sent it).
public struct Answer<Request: SkillhostRequest>: Sendable {
    /// The result, decoded through the request's declaration.
    public let result: Request.Result
    /// The result as the daemon sent it.
    public let json: JSONValue
}

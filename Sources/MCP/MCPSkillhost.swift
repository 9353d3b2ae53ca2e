import JSON
import JSONRPC
import SkillhostProtocol

/// What an ``MCPSession`` serves: skillhostd's own methods (docs/PROTOCOL.md), reached over
/// its Unix socket (``UnixSocketSkillhost``) or from inside the daemon.
public protocol MCPSkillhost: Sendable {
    /// Calls `method` with `params` and returns its result.
    ///
    /// The notifications the daemon sends about this call while it runs (`run.output` and
    /// `run.log` of a streamed `skills.run`) go to `onNotification`, in the order sent, each
    /// before the call returns. Cancelling the calling task cancels the call: a `skills.run`
    /// ends as `cancelled`.
    /// - Throws: the daemon's error; why no answer came, as an `internal` error that says so.
    func call(_ method: String, params: JSONValue?,
              onNotification: @escaping @Sendable (String, JSONValue?) -> Void) async throws(JSONRPCError) -> JSONValue

    /// Calls `skills.watch` and returns the skills installed now; from then on, until
    /// ``close()``, `onChange` gets each `skills.changed` the daemon sends.
    /// - Throws: as ``call(_:params:onNotification:)``.
    func watchSkills(onChange: @escaping @Sendable (SkillsChangedNotification) -> Void) async throws(JSONRPCError) -> SkillList

    /// Ends the watch. Calls still running are ended by cancelling their tasks.
    func close()
}

extension MCPSkillhost {
    /// Calls `request`'s method and reads the result through its declaration.
    /// - Throws: as ``call(_:params:onNotification:)``, and `internal` for an answer that
    ///   is not the declared result.
    func send<Request: SkillhostRequest>(
        _ request: Request, onNotification: @escaping @Sendable (String, JSONValue?) -> Void = { _, _ in }
    ) async throws(JSONRPCError) -> Request.Result {
        let answer = try await call(Request.method, params: try request.params, onNotification: onNotification)
        do {
            return try Request.decodeResult(answer)
        } catch {
            throw .internalError("skillhostd answered \(Request.method) with a result this server cannot read (\(error))")
        }
    }
}

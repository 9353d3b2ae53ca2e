import JSON
import JSONRPC
import SkillhostProtocol
import Synchronization

/// The `notifications/progress` of one `tools/call` whose client asked for progress (a
/// `progressToken`): one for each `run.output` and `run.log` of the streamed run, with a
/// count that grows by one each time and, as its message, the output's text or the log line.
final class MCPProgress: Sendable {
    private let token: JSONValue
    private let revision: MCPProtocolRevision
    private let reply: MCPSession.Sink
    /// The notifications sent so far. A `Mutex`: the run's notifications come on the
    /// connection's reader thread, and counting and sending under it keeps them in order.
    private let sent = Mutex<Int64>(0)

    /// The progress of a call whose `_meta.progressToken` is `token`; nil when it has none
    /// (or one that is neither a string nor an integer).
    init?(_ token: JSONValue?, revision: MCPProtocolRevision, reply: @escaping MCPSession.Sink) {
        guard let token, token.stringValue != nil || token.int64Value != nil, token.boolValue == nil else { return nil }
        self.token = token
        self.revision = revision
        self.reply = reply
    }

    /// Reports a notification of the run: `run.output` or `run.log`; others are ignored.
    func report(method: String, params: JSONValue?) {
        let message: String
        if let output = RunOutputNotification(method: method, params: params) {
            message = output.chunk
        } else if let log = RunLogNotification(method: method, params: params) {
            message = "\(log.level): \(log.message)"
        } else {
            return
        }
        sent.withLock { sent in
            sent += 1
            var members: [String: JSONValue] = ["progressToken": token, "progress": .int(sent)]
            if revision.hasProgressMessages { members["message"] = .string(message) }
            reply(JSONRPCRequest.notification(method: MCPNotificationMethod.progress.rawValue, params: .object(members)).jsonValue)
        }
    }
}

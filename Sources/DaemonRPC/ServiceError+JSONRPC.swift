import JSONRPC
import SkillDaemon
import SkillhostProtocol

extension ServiceError: JSONRPCErrorConvertible {
    /// The JSON-RPC error sent to the client: the kind's code and name, the message (after
    /// `invalid params: ` or `internal error: ` for those two kinds), and the extra members.
    public var rpcError: JSONRPCError {
        switch kind {
        case .invalidParams: .invalidParams(message, extra: extra)
        case .internal: .internalError(message)
        default: JSONRPCError(kind, message: message, extra: extra)
        }
    }
}

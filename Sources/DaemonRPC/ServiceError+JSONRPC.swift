import JSONRPC
import SkillDaemon
import SkillhostModel

extension ErrorKind {
    /// The JSON-RPC error code of this kind.
    public var code: Int {
        switch self {
        case .notFound: -32001
        case .invalidSkill: -32002
        case .conflict: -32003
        case .skillFailed: -32004
        case .inferenceFailed: -32005
        case .timeout: -32006
        case .crashed: -32007
        case .cancelled: -32008
        case .overloaded: -32009
        case .permissionDenied: -32010
        case .invalidInput: -32011
        case .invalidCSICall: -32012
        case .interrupted: -32013
        }
    }
}

extension ServiceError {
    /// The JSON-RPC error sent to the client.
    public var rpcError: JSONRPCError {
        switch self {
        case let .domain(kind, message, extra):
            JSONRPCError(code: kind.code, kind: kind.rawValue, message: message, extra: extra)
        case let .invalidParams(message):
            .invalidParams(message)
        case let .internal(message):
            .internalError(message)
        }
    }
}

import JSONRPC

/// skillhost's own error kinds and their JSON-RPC codes (docs/PROTOCOL.md). The kind is the
/// stable string a client switches on.
public enum ErrorKind: String, Sendable, CaseIterable {
    case notFound = "not_found"
    case invalidSkill = "invalid_skill"
    case conflict
    case skillFailed = "skill_failed"
    case inferenceFailed = "inference_failed"
    case timeout
    case crashed
    case cancelled
    case overloaded
    case permissionDenied = "permission_denied"
    case invalidInput = "invalid_input"
    case invalidCSICall = "invalid_csi_call"
    case interrupted

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

/// An error a service method answers with: a domain kind, or invalid parameters, or an
/// internal failure, each with a message that says what to do.
public enum ServiceError: Error, Sendable, CustomStringConvertible {
    /// One of skillhost's own kinds, with extra `data` fields (e.g. `run_id`).
    case domain(ErrorKind, String, extra: [String: JSONValue] = [:])
    /// A parameter is missing or has the wrong type or value.
    case invalidParams(String)
    /// A failure inside the daemon (I/O, database).
    case `internal`(String)

    public var description: String {
        switch self {
        case let .domain(_, message, _), let .invalidParams(message), let .internal(message): message
        }
    }

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

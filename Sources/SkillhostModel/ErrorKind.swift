/// Every error kind of skillhost (docs/PROTOCOL.md): the stable string a client switches on
/// and its JSON-RPC error code, the same from the invocation that failed to the wire and to
/// `skillctl`'s exit status.
///
/// The first five are JSON-RPC 2.0's own errors, with its codes; the rest are skillhost's,
/// in -32099...-32000.
public enum ErrorKind: String, Sendable, CaseIterable, Codable {
    /// -32700: the line is not JSON.
    case parseError = "parse_error"
    /// -32600: not a JSON-RPC 2.0 request, an empty batch, a line or a batch over its limit
    /// (`max_request_bytes`, `max_batch_length`).
    case invalidRequest = "invalid_request"
    /// -32601: no such method.
    case methodNotFound = "method_not_found"
    /// -32602: a parameter is missing, unknown, or of the wrong type or value, or names a
    /// file that does not exist.
    case invalidParams = "invalid_params"
    /// -32603: a bug or an I/O failure in the daemon.
    case `internal`
    /// -32001: no such skill, run, batch, schedule or endpoint.
    case notFound = "not_found"
    /// -32002: the file is not a loadable skill.
    case invalidSkill = "invalid_skill"
    /// -32003: the same name and version is installed with other bytes, or a name is taken.
    case conflict
    /// -32004: the skill returned an error status, or output that cannot be stored.
    case skillFailed = "skill_failed"
    /// -32005: a CSI inference call failed and the run was trapped.
    case inferenceFailed = "inference_failed"
    /// -32006: the run passed its deadline.
    case timeout
    /// -32007: the skill's worker process died before the run ended.
    case crashed
    /// -32008: cancelled: its client went away, `runs.cancel` ended it, or the daemon is shutting down.
    case cancelled
    /// -32009: too many runs in flight; retry later.
    case overloaded
    /// -32010: the caller may not do this.
    case permissionDenied = "permission_denied"
    /// -32011: the skill refused its input.
    case invalidInput = "invalid_input"
    /// -32012: the skill called a host function with invalid arguments.
    case invalidCSICall = "invalid_csi_call"
    /// -32013: the daemon shut down before the run finished.
    case interrupted
    /// -32014: the daemon serves as many connections as it allows (`max_connections`); the
    /// connection is closed.
    case tooManyConnections = "too_many_connections"
    /// -32015: the skill is disabled or draining (`skills.disable`, `skills.drain`): it takes
    /// no new runs until `skills.enable`.
    case skillDisabled = "skill_disabled"

    /// The JSON-RPC error code of this kind.
    public var code: Int {
        switch self {
        case .parseError: -32700
        case .invalidRequest: -32600
        case .methodNotFound: -32601
        case .invalidParams: -32602
        case .internal: -32603
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
        case .tooManyConnections: -32014
        case .skillDisabled: -32015
        }
    }
}

extension ErrorKind {
    /// The HTTP status an error of this kind answers with over HTTP: 4xx for what the client
    /// can change (its input, its token, a name), 5xx for what went wrong on the daemon's side
    /// or a server behind it (a failed skill, a failed inference call, a deadline), 503 for
    /// what is worth retrying later.
    public var httpStatus: Int {
        switch self {
        case .parseError, .invalidRequest, .invalidParams: 400
        case .permissionDenied: 403
        case .methodNotFound, .notFound: 404
        case .conflict, .cancelled, .skillDisabled: 409
        case .invalidSkill, .invalidInput: 422
        case .internal, .skillFailed, .crashed, .invalidCSICall: 500
        case .inferenceFailed: 502
        case .overloaded, .interrupted, .tooManyConnections: 503
        case .timeout: 504
        }
    }
}

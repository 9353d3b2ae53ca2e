/// skillhost's own error kinds (docs/PROTOCOL.md): the stable string a client switches on,
/// the same from the invocation that failed to the wire and to `skillctl`'s exit status.
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
}

import JSONRPC
import SkillDaemon

extension JSONRPCCall {
    /// The caller's credentials on this machine, for what acts in the caller's name here:
    /// reading a file as the caller's user, or checking that the caller is the daemon's own.
    ///
    /// - Parameter need: why the method needs them, as the refusal says it after the method's
    ///   name: `"reads the file at path as the calling user"`.
    /// - Throws: `permission_denied` for a caller that a token identified (over HTTP), which is
    ///   no user of this machine, saying to use the Unix socket instead.
    func localUser(because need: String) throws(ServiceError) -> PeerCredentials {
        switch caller {
        case let .process(credentials):
            return credentials
        case .authenticated:
            throw ServiceError(.permissionDenied, "\(method) \(need), and a caller over HTTP (\(caller)) is no user of "
                + "this machine: call it over the Unix socket (skillctl) instead")
        }
    }
}

import CSystemShims
import SystemCalls

/// The identity of the process at the other end of a Unix socket, as the kernel reports
/// it (`SO_PEERCRED`): what it was when it connected, not what it claims.
public struct PeerCredentials: Sendable, Hashable {
    /// The peer's process id.
    public let pid: Int32
    /// The peer's effective user id.
    public let uid: UInt32
    /// The peer's effective group id.
    public let gid: UInt32

    /// Credentials as given.
    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Reads the credentials of the peer connected to `socket`.
    static func of(socket: borrowing FileDescriptor) throws(SystemCallError) -> PeerCredentials {
        var credentials = cshim_peer_credentials()
        try retryingOnInterrupt("getsockopt(SO_PEERCRED)") { cshim_peer_credentials_of(socket.rawValue, &credentials) }
        return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
    }
}

/// Who made a call, as the transport it came on established it.
///
/// The Unix socket knows its callers by the kernel's word (``PeerCredentials``); a transport
/// that reaches beyond the machine, such as HTTP, knows them only by a credential it checked,
/// and has no local user to name. A handler that acts in the caller's name on this machine (reads
/// a file as the caller, say) needs a ``process(_:)`` caller and refuses the other kind.
public enum JSONRPCCaller: Sendable, Hashable, CustomStringConvertible {
    /// A process on this machine, connected to the socket: its credentials as it connected.
    case process(PeerCredentials)
    /// A client that a credential of the transport's own identified, such as an HTTP bearer
    /// token: the credential's name, and its id among the server's credentials, which no other
    /// credential ever has (a name can be given again once its credential is revoked).
    case authenticated(name: String, id: Int64)

    /// The local process's credentials; nil for an ``authenticated(name:)`` caller.
    public var process: PeerCredentials? {
        guard case let .process(credentials) = self else { return nil }
        return credentials
    }

    /// The name of the credential that identified the caller; nil for a local process.
    public var credentialName: String? {
        guard case let .authenticated(name, _) = self else { return nil }
        return name
    }

    /// The id of the credential that identified the caller; nil for a local process.
    public var credentialID: Int64? {
        guard case let .authenticated(_, id) = self else { return nil }
        return id
    }

    /// The caller as a log line or an error names it: `uid 1000 (pid 42)` or `token "ci"`.
    public var description: String {
        switch self {
        case let .process(credentials): "uid \(credentials.uid) (pid \(credentials.pid))"
        case let .authenticated(name, _): "token \"\(name)\""
        }
    }
}

/// One layer of the worker sandbox (docs/SECURITY.md), in the order a worker sets them up.
public enum SandboxLayer: String, Sendable, CaseIterable, Codable {
    /// A user namespace of its own: uid 0 inside is an unprivileged uid outside.
    case userNamespace = "user_namespace"
    /// A PID namespace of its own: the worker is its pid 1 and sees no other process.
    case pidNamespace = "pid_namespace"
    /// A mount namespace of its own, which the file system view needs.
    case mountNamespace = "mount_namespace"
    /// A network namespace of its own with no interface up (unless the network is granted).
    case networkNamespace = "network_namespace"
    /// IPC (System V, POSIX message queues) and UTS namespaces of its own.
    case ipcNamespace = "ipc_namespace"
    /// A root of its own: the skill, read-only system libraries, the granted paths, a
    /// private `/tmp`, `/dev` and `/proc`; no data directory, registry or daemon socket.
    case fileSystemView = "file_system_view"
    /// The worker runs as an unprivileged uid, not the daemon's root (`sandbox_user`).
    case unprivilegedUser = "unprivileged_user"
    /// No capability, in its namespace or anywhere, and none regained by `execve`.
    case noCapabilities = "no_capabilities"
    /// `no_new_privs`: no set-uid or file capability takes effect.
    case noNewPrivileges = "no_new_privs"
    /// A Landlock domain: the paths of the view only, no TCP without the network grant,
    /// no signal to or abstract socket of a process outside the sandbox.
    case landlock
    /// A seccomp filter refusing the system calls a skill never needs.
    case seccomp
    /// A limit on the worker's processes and threads (`RLIMIT_NPROC` in its user namespace).
    case processLimit = "process_limit"
}

import Glibc
import SkillhostModel
import WorkerProtocol

/// How the daemon sandboxes its workers (docs/SECURITY.md): the settings, and what they
/// make of a skill's grants.
public struct WorkerSandboxSettings: Sendable, Equatable {
    /// Whether workers are sandboxed, and what a missing layer does (`sandbox`).
    public var mode = SandboxMode.on
    /// The user whose uid and gid a worker's uid 0 maps to when the daemon runs as root
    /// (`sandbox_user`); a daemon of another user maps its own.
    public var user = "nobody"
    /// The most processes and threads of a worker, its own included, unless the skill is
    /// granted another number; 0: none (`sandbox_process_limit`).
    public var processLimit = 256
    /// The CPU seconds of one run, unless the skill is granted another; 0: none
    /// (`sandbox_cpu_seconds_per_run`).
    public var cpuSecondsPerRun = 0

    /// The defaults.
    public init() {}

    /// The uid and gid outside the user namespace that a worker runs as.
    struct Identity: Sendable, Equatable {
        var uid: uid_t
        var gid: gid_t
        /// Whether the daemon is root, so that the worker's identity is another user's.
        var daemonIsPrivileged: Bool

        /// The kernel's overflow uid and gid, for a root daemon whose `sandbox_user` is unknown.
        static let overflow = Identity(uid: 65534, gid: 65534, daemonIsPrivileged: geteuid() == 0)
    }

    /// Why the worker's identity cannot be found.
    public struct UnknownUser: Error, CustomStringConvertible {
        /// The user name of `sandbox_user`.
        public let user: String
        /// What went wrong, for the operator.
        public var description: String {
            "sandbox_user \(user): no such user on this system; name an unprivileged user that exists, such as nobody"
        }
    }

    /// The identity of workers: ``user``'s when the daemon runs as root, else the daemon's own.
    func identity() throws(UnknownUser) -> Identity {
        guard geteuid() == 0 else { return Identity(uid: geteuid(), gid: getegid(), daemonIsPrivileged: false) }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(user, &entry, &buffer, buffer.count, &result) == 0, result != nil, entry.pw_uid != 0 else {
            throw UnknownUser(user: user)
        }
        return Identity(uid: entry.pw_uid, gid: entry.pw_gid, daemonIsPrivileged: true)
    }

    /// Checks the settings that can be wrong: the user must exist (and not be root).
    public func validate() throws(UnknownUser) {
        guard mode != .off else { return }
        _ = try identity()
    }

    /// The worker options of a skill with `grants`, its limits resolved against these
    /// settings; nil when the sandbox is off.
    func options(for grants: SkillGrants, identity: Identity) -> WorkerSandboxOptions? {
        guard mode != .off else { return nil }
        var options = WorkerSandboxOptions()
        options.enabled = true
        options.grants = grants
        let processes = grants.processLimit ?? processLimit
        options.grants.processLimit = processes > 0 ? processes : nil
        let seconds = grants.cpuSecondsPerRun ?? cpuSecondsPerRun
        options.grants.cpuSecondsPerRun = seconds > 0 ? seconds : nil
        options.required = mode == .required
        options.unprivilegedOuterUser = identity.daemonIsPrivileged
        return options
    }
}

import CSystemShims
import Glibc
import Synchronization
import SystemCalls
import WorkerProtocol

/// Whether this kernel lets the daemon start workers in new namespaces, learnt from the
/// first `clone` that asks for them: when the kernel refuses (user namespaces disabled by
/// `kernel.unprivileged_userns_clone` or `user.max_user_namespaces`, a container's seccomp
/// profile), later workers start without namespaces instead of failing the same way again.
final class NamespaceSupport: Sendable {
    /// The daemon's one record.
    static let shared = NamespaceSupport()

    /// Why namespaces are unavailable, once a clone failed.
    private let refusal = Mutex<String?>(nil)

    /// The clone flags of `namespaces`.
    static func cloneFlags(_ namespaces: Set<WorkerSandboxOptions.Namespace>) -> UInt {
        namespaces.reduce(0) { flags, namespace in
            let flag: UInt = switch namespace {
            case .user: UInt(CSHIM_NAMESPACE_USER)
            case .mount: UInt(CSHIM_NAMESPACE_MOUNT)
            case .pid: UInt(CSHIM_NAMESPACE_PID)
            case .network: UInt(CSHIM_NAMESPACE_NETWORK)
            case .ipc: UInt(CSHIM_NAMESPACE_IPC | CSHIM_NAMESPACE_UTS | CSHIM_NAMESPACE_CGROUP)
            }
            return flags | flag
        }
    }

    /// The namespaces to ask for: `wanted`, unless an earlier clone was refused.
    func namespaces(wanted: Set<WorkerSandboxOptions.Namespace>) -> Set<WorkerSandboxOptions.Namespace> {
        refusal.withLock { $0 == nil } ? wanted : []
    }

    /// Records that the kernel refused a clone into namespaces with `code`; true when the
    /// error is one that namespaces cause (so that starting without them may work).
    func recordRefusal(_ code: Int32) -> Bool {
        guard [EPERM, EINVAL, ENOSPC, EUSERS, EACCES].contains(code) else { return false }
        refusal.withLock { $0 = "clone into new namespaces: \(Errno(rawValue: code)) (\(Errno(rawValue: code).name))" }
        return true
    }

    /// Why workers have no namespaces, if they have none.
    var unavailableReason: String? { refusal.withLock { $0 } }
}

import Glibc
import SystemCalls

/// Why a worker could not be started.
struct WorkerSpawnError: Error, Sendable, CustomStringConvertible {
    /// The call that failed, such as `posix_spawn`.
    var call: String
    /// Its errno.
    var code: Int32
    /// The executable being started.
    var executable: String

    var description: String {
        "cannot start a worker process (\(executable) --worker): \(SystemCallError(call: call, errno: Errno(rawValue: code)))"
    }
}

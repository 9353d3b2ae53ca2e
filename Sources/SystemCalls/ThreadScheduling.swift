import CSystemShims
import Glibc

/// The calling thread and the scheduling of one thread, by its kernel thread id.
///
/// On Linux a thread is a task of its own: `setpriority(PRIO_PROCESS, tid, ...)` changes
/// the nice value of that one thread, not of the whole process (setpriority(2), BUGS; the
/// threads of a process do not share a nice value under NPTL).
package enum ThreadScheduling {
    /// The lowest scheduling priority a thread can have: nice 19.
    package static let lowestPriority: Int32 = 19

    /// The kernel's id of the calling thread (`gettid`), as `/proc/self/task/<tid>` names it.
    package static var currentThreadID: Int32 {
        cshim_gettid()
    }

    /// Sets the nice value of the thread `threadID` of this process to `nice`.
    /// - Throws: `ESRCH` when the thread has exited; `EACCES` when raising a priority needs
    ///   `CAP_SYS_NICE` (lowering one never does).
    package static func setNice(_ nice: Int32, ofThread threadID: Int32) throws(SystemCallError) {
        guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(threadID), nice) == 0 else {
            throw .lastError(of: "setpriority(PRIO_PROCESS, \(threadID), \(nice))")
        }
    }
}

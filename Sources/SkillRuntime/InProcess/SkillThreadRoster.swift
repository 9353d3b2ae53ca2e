import Foundation
import Synchronization
import SystemCalls

/// A skill thread still running the code of a run that ended (its deadline passed, its
/// caller went away, a CSI call failed): in process, nothing can stop a thread, so it runs
/// until the skill returns, holding its stack, maybe locks, and maybe a core.
public struct StuckSkillThread: Sendable, Equatable {
    /// The run whose code it runs; nil for an invocation of no recorded run.
    public var owner: InvocationOwner?
    /// The kernel's id of the thread (`/proc/<daemon pid>/task/<thread id>`); nil while the
    /// thread has not started the run yet.
    public var threadID: Int32?
    /// When its run ended.
    public var since: Date
    /// Whether its scheduling priority was lowered to nice 19, so that it competes less with
    /// the daemon's own threads for the cores.
    public var priorityLowered: Bool
}

/// The in-process runs whose skill threads are alive: admitted up to a limit, each until its
/// thread is done with it, whether its run ended before or not. A thread whose run ended while
/// it still ran skill code is *stuck*: it is reported (``stuck``) and its priority lowered
/// until it returns, and then it retires instead of parking for the next run (a nice value
/// once raised back needs `CAP_SYS_NICE`).
final class SkillThreadRoster: Sendable {
    private struct Entry {
        var owner: InvocationOwner?
        var threadID: Int32?
        /// When the run ended while its thread still had it.
        var endedAt: Date?
        var priorityLowered = false
    }

    private struct State {
        var nextTicket: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
    }

    /// The most runs whose threads may be alive at once.
    let maximum: Int
    private let state = Mutex(State())

    /// A roster of at most `maximum` runs.
    init(maximum: Int) {
        self.maximum = maximum
    }

    /// Admits a run of `owner`; nil when ``maximum`` runs already hold a thread.
    func admit(_ owner: InvocationOwner?) -> UInt64? {
        state.withLock { state in
            guard state.entries.count < maximum else { return nil }
            state.nextTicket += 1
            state.entries[state.nextTicket] = Entry(owner: owner)
            return state.nextTicket
        }
    }

    /// Called on the skill thread as it takes the run `ticket`: records which thread it is
    /// (and lowers its priority if the run already ended, say during a hanging `init`).
    func threadStarted(_ ticket: UInt64) {
        let threadID = ThreadScheduling.currentThreadID
        let ended = state.withLock { state in
            state.entries[ticket]?.threadID = threadID
            return state.entries[ticket]?.endedAt != nil
        }
        if ended { lowerPriority(of: ticket) }
    }

    /// Called by the caller once the run `ticket` ended: a thread that still has it is stuck
    /// from now on, and its priority is lowered.
    func runEnded(_ ticket: UInt64) {
        let started = state.withLock { state -> Bool in
            guard state.entries[ticket] != nil else { return false }
            state.entries[ticket]?.endedAt = Date()
            return state.entries[ticket]?.threadID != nil
        }
        if started { lowerPriority(of: ticket) }
    }

    /// Called on the skill thread when the skill's code is done with the run `ticket`, before
    /// the caller is resumed with what it returned (or by the caller, for a run that never got
    /// a thread): the run leaves the roster.
    @discardableResult
    func threadFinished(_ ticket: UInt64) -> SkillThreads.AfterRun {
        let entry = state.withLock { $0.entries.removeValue(forKey: ticket) }
        return entry?.priorityLowered == true ? .retire : .park
    }

    /// The runs that hold a thread now, stuck or not.
    var count: Int {
        state.withLock { $0.entries.count }
    }

    /// The threads still running skill code of runs that ended, the longest stuck first.
    var stuck: [StuckSkillThread] {
        state.withLock { state in
            state.entries.values.compactMap { entry in
                entry.endedAt.map {
                    StuckSkillThread(owner: entry.owner, threadID: entry.threadID, since: $0,
                                     priorityLowered: entry.priorityLowered)
                }
            }
        }.sorted { $0.since < $1.since }
    }

    /// Lowers the thread of `ticket` to the lowest priority, under the lock, so that the
    /// thread cannot finish and be handed another run meanwhile. A failure is harmless (the
    /// thread keeps its priority) and shows as `priorityLowered` false.
    private func lowerPriority(of ticket: UInt64) {
        state.withLock { state in
            guard let entry = state.entries[ticket], let threadID = entry.threadID, !entry.priorityLowered else { return }
            do throws(SystemCallError) {
                try ThreadScheduling.setNice(ThreadScheduling.lowestPriority, ofThread: threadID)
                state.entries[ticket]?.priorityLowered = true
            } catch {}
        }
    }
}

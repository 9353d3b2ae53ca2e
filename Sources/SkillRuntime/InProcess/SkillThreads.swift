import Dispatch
import Foundation
import Synchronization

/// The threads in-process skills run on: a thread whose skill returned parks for the next
/// run instead of exiting, and one that stays parked for ``idleTimeout`` exits.
///
/// Starting a thread for every run cost a `clone`, an 8 MiB stack mapping and the thread's
/// exit (skillbench: 136 µs of CPU per noop run, against 79 µs with parked threads). Only a
/// thread whose skill returned is parked, so there are never more threads than runs in
/// flight plus those parked from the last burst; a skill that never returns keeps its
/// thread, as before, and a thread whose run ended while it was stuck in the skill exits
/// once the skill returns.
final class SkillThreads: Sendable {
    /// What a thread does once its run is done.
    enum AfterRun {
        /// It parks for the next run.
        case park
        /// It exits (its run lowered its priority while it was stuck in the skill).
        case retire
    }

    /// The stack size of each thread.
    let stackSize: Int
    /// How long a parked thread waits for a run before it exits.
    let idleTimeout: Duration
    /// Threads waiting for work, the most recently parked last (its stack is warmest).
    private let parked = Mutex<[ParkedThread]>([])
    /// Threads started and not exited, parked or running a skill.
    private let liveThreads = Atomic<Int>(0)

    /// Threads of `stackSize` bytes that exit after `idleTimeout` parked.
    init(stackSize: Int, idleTimeout: Duration = .seconds(10)) {
        self.stackSize = stackSize
        self.idleTimeout = idleTimeout
    }

    /// Runs `body` on a parked thread, or on a new one when none is parked; the thread parks
    /// afterwards, or exits when `body` says it must retire.
    func run(_ body: @escaping @Sendable () -> AfterRun) {
        if let thread = parked.withLock({ $0.popLast() }) {
            thread.hand(body)
            return
        }
        liveThreads.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            serve(first: body)
            liveThreads.subtract(1, ordering: .relaxed)
        }
        thread.stackSize = stackSize
        thread.start()
    }

    /// Threads parked now (for tests).
    var parkedCount: Int {
        parked.withLock { $0.count }
    }

    /// Threads alive now, parked or running (for tests).
    var threadCount: Int {
        liveThreads.load(ordering: .relaxed)
    }

    /// The body of a thread: runs `first`, then each run handed to it while parked, until it
    /// waits a whole ``idleTimeout`` for one, or a run says it must retire.
    private func serve(first: @escaping @Sendable () -> AfterRun) {
        var body = first
        let slot = ParkedThread()
        while true {
            guard body() == .park else { return }
            parked.withLock { $0.append(slot) }
            if let next = slot.waitForWork(timeout: idleTimeout) {
                body = next
                continue
            }
            let unclaimed = parked.withLock { parked in
                guard let index = parked.firstIndex(where: { $0 === slot }) else { return false }
                parked.remove(at: index)
                return true
            }
            if unclaimed { return }
            // Taken from the list just as the wait timed out: the run is on its way.
            body = slot.waitForWork(timeout: nil)!
        }
    }
}

/// A parked thread's mailbox: one run handed over, and the signal that wakes the thread.
private final class ParkedThread: Sendable {
    private let wake = DispatchSemaphore(value: 0)
    private let work = Mutex<(@Sendable () -> SkillThreads.AfterRun)?>(nil)

    /// Hands `body` to the thread and wakes it.
    func hand(_ body: @escaping @Sendable () -> SkillThreads.AfterRun) {
        work.withLock { $0 = body }
        wake.signal()
    }

    /// The run handed over, once it is; nil when `timeout` passes first.
    func waitForWork(timeout: Duration?) -> (@Sendable () -> SkillThreads.AfterRun)? {
        if let timeout {
            guard wake.wait(timeout: .now() + timeout.dispatchInterval) == .success else { return nil }
        } else {
            wake.wait()
        }
        return work.withLock { work in
            defer { work = nil }
            return work
        }
    }
}

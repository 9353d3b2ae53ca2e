import Foundation
import Synchronization

/// A clock that moves only when told to, for tests: a scheduler under test sleeps on it,
/// and the test advances it to wake the sleepers whose deadline has come, without waiting
/// through real time.
///
/// A typical test waits until the scheduler is asleep, then moves time on:
/// ```swift
/// let clock = ManualSchedulerClock(now: start)
/// // start the scheduler with `clock`...
/// await clock.waitForSleepers(atLeast: 1)
/// clock.advance(by: 60)
/// ```
public final class ManualSchedulerClock: SchedulerClock {
    private struct Sleeper {
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        let count: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        /// Sleeps cancelled before they were registered.
        var cancelledIDs: Set<Int> = []
        var watchers: [Int: Watcher] = [:]

        /// Removes and returns the watchers whose count of sleepers has been reached.
        mutating func takeSatisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            let satisfied = watchers.filter { $0.value.count <= sleepers.count }
            for id in satisfied.keys { watchers[id] = nil }
            return satisfied.values.map(\.continuation)
        }
    }

    /// The clock's state, shared by the tasks that sleep on it and the test that moves it;
    /// a `Mutex` because every access is short and synchronous.
    private let state: Mutex<State>

    /// Creates a clock showing `now`.
    public init(now: Date) {
        state = Mutex(State(now: now))
    }

    /// The time the clock shows.
    public var now: Date {
        state.withLock { $0.now }
    }

    /// The number of tasks sleeping on the clock.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// The earliest deadline a task sleeps until, if any sleeps.
    public var nextDeadline: Date? {
        state.withLock { $0.sleepers.values.map(\.deadline).min() }
    }

    /// Returns once ``now`` reaches `deadline`, through ``advance(to:)`` or
    /// ``advance(by:)``; at once if it already has.
    /// - Throws: `CancellationError` if the calling task is cancelled first.
    public func sleep(until deadline: Date) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case sleeping, due, cancelled }
                let (outcome, watchers) = state.withLock { state -> (Outcome, [CheckedContinuation<Void, Never>]) in
                    if state.cancelledIDs.remove(id) != nil { return (.cancelled, []) }
                    if deadline <= state.now { return (.due, []) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (.sleeping, state.takeSatisfiedWatchers())
                }
                switch outcome {
                case .sleeping: break
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
                for watcher in watchers { watcher.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    state.cancelledIDs.insert(id)
                    return nil as Sleeper?
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        // A sleep that ended without cancellation leaves no trace of its id.
        state.withLock { _ = $0.cancelledIDs.remove(id) }
    }

    /// Moves the clock to `date` and wakes, earliest deadline first, every sleeper whose
    /// deadline is at or before it.
    /// - Precondition: `date` is not before ``now``: this clock only moves forwards.
    public func advance(to date: Date) {
        let due = state.withLock { state -> [Sleeper] in
            precondition(date >= state.now, "ManualSchedulerClock moves forwards only: \(date) is before \(state.now)")
            state.now = date
            let due = state.sleepers.filter { $0.value.deadline <= date }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves the clock `interval` seconds forward; see ``advance(to:)``.
    public func advance(by interval: TimeInterval) {
        advance(to: now.addingTimeInterval(interval))
    }

    /// Returns once at least `count` tasks sleep on the clock, or when the calling task is
    /// cancelled: the way for a test to know the code under test is waiting before it
    /// moves time on.
    public func waitForSleepers(atLeast count: Int) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let satisfied = state.withLock { state in
                    if state.cancelledIDs.remove(id) != nil || state.sleepers.count >= count { return true }
                    state.watchers[id] = Watcher(count: count, continuation: continuation)
                    return false
                }
                if satisfied { continuation.resume() }
            }
        } onCancel: {
            let watcher = state.withLock { state in
                guard let watcher = state.watchers.removeValue(forKey: id) else {
                    state.cancelledIDs.insert(id)
                    return nil as Watcher?
                }
                return watcher
            }
            watcher?.continuation.resume()
        }
        state.withLock { _ = $0.cancelledIDs.remove(id) }
    }
}

import Registry
import SkillRuntime
import Synchronization

/// What a run in flight has produced so far, who follows it, and how to end it: what
/// `runs.attach`, `runs.wait` and `runs.cancel` reach a run by, from any connection.
///
/// It keeps every output chunk and log line of the run, in order, for as long as the run
/// goes on: an attach that comes late gets them all first, then the rest as it comes. The
/// invocation bounds both (the output by `max_output_bytes`, the lines by its log limit), so
/// the journal holds no more than the run's own record will.
public final class RunJournal: Sendable {
    /// What a follower gets from ``follow(_:)``.
    public enum Following: Sendable {
        /// The follower was given every event so far, and will be given the rest; the id
        /// stops it (``unfollow(_:)``).
        case following(Int)
        /// The run has ended: the follower was given nothing. Its record, or nil when its
        /// end could not be recorded.
        case ended(RunRecord?)
    }

    /// The events, the followers and the end. A `Mutex`: events come from the threads that
    /// run the skill, follows and waits from connections' tasks, never across a suspension;
    /// delivering under the lock keeps every follower's events in order, the replay first.
    private let state = Mutex(State())

    private struct State {
        var events: [RunEvent] = []
        var followers: [Int: @Sendable (RunEvent) -> Void] = [:]
        var waiters: [Int: CheckedContinuation<RunRecord?, Never>] = [:]
        var nextID = 0
        var ended = false
        var record: RunRecord?
        var cancel: (@Sendable () -> Void)?
        var cancelRequested = false
    }

    /// An empty journal, for a run about to start.
    public init() {}

    /// Keeps `event` and gives it to every follower.
    func record(_ event: RunEvent) {
        state.withLock { state in
            guard !state.ended else { return }
            state.events.append(event)
            for follower in state.followers.values { follower(event) }
        }
    }

    /// Gives `onEvent` every event so far, then each one as it comes, until ``unfollow(_:)``
    /// or the run's end; or, once it ended, nothing.
    public func follow(_ onEvent: @escaping @Sendable (RunEvent) -> Void) -> Following {
        state.withLock { state in
            guard !state.ended else { return .ended(state.record) }
            for event in state.events { onEvent(event) }
            let id = state.nextID
            state.nextID += 1
            state.followers[id] = onEvent
            return .following(id)
        }
    }

    /// Gives the follower `id` no more events.
    public func unfollow(_ id: Int) {
        _ = state.withLock { $0.followers.removeValue(forKey: id) }
    }

    /// The run's final record once it ends (nil when its end could not be recorded), or nil
    /// at once when the waiting task is cancelled.
    public func end() async -> RunRecord? {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RunRecord?, Never>) in
                state.withLock { state in
                    if state.ended || Task.isCancelled {
                        continuation.resume(returning: state.record)
                    } else {
                        state.waiters[id] = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }

    /// Ends the run at once, as `cancelled`: the invocation is trapped and a worker running
    /// it killed. Once the run is under way (``started(cancel:)``) or before.
    public func cancel() {
        let cancel = state.withLock { state in
            state.cancelRequested = true
            return state.cancel
        }
        cancel?()
    }

    /// Whether ``cancel()`` was called: the run's end is then a cancel asked for by name.
    var wasCancelled: Bool {
        state.withLock(\.cancelRequested)
    }

    /// Learns how to cancel the run, now under way; calls it at once if a cancel came first.
    func started(cancel: @escaping @Sendable () -> Void) {
        let cancelNow = state.withLock { state in
            state.cancel = cancel
            return state.cancelRequested
        }
        if cancelNow { cancel() }
    }

    /// The run has ended with `record` (nil: its end could not be recorded): the followers
    /// are let go and the waiters answered.
    func finish(_ record: RunRecord?) {
        let waiters = state.withLock { state in
            state.ended = true
            state.record = record
            state.events = []
            state.followers = [:]
            state.cancel = nil
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: record) }
    }
}

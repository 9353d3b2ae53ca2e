import Foundation

/// The wall clock a scheduler reads and waits on. The daemon uses ``SystemSchedulerClock``;
/// tests use ``ManualSchedulerClock`` to move time forward without waiting through it.
public protocol SchedulerClock: Sendable {
    /// The current time.
    var now: Date { get }

    /// Returns once ``now`` has reached `deadline` (at once if it already has).
    /// - Throws: `CancellationError` if the calling task is cancelled first.
    func sleep(until deadline: Date) async throws
}

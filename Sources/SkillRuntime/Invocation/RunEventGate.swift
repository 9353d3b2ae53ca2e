import Foundation
import Synchronization

/// Hands an invocation's events to its ``Invocation/events`` sink in the order the runner
/// recorded them, and none once the invocation has ended. Both runners use one per
/// invocation.
///
/// Recording an event with the invocation (appending a chunk to its output, keeping a log
/// line) and handing it to the sink happen together under one lock, so that the sink sees
/// events in the order they were recorded even when several threads produce them.
/// ``close()`` takes the same lock: once it returns, no call of the sink is in progress and
/// none will follow. A runner closes the gate after it marks the invocation ended and
/// before it resumes its caller.
package final class RunEventGate: Sendable {
    private let sink: (@Sendable (RunEvent) -> Void)?
    /// Serialises recording and delivery with each other and with ``close()``. Recursive
    /// because the sink may end the invocation on its own thread (say, by cancelling the
    /// task that awaits the run when its client is gone): that closes the gate from inside
    /// a delivery, which must not wait for itself.
    private let delivery = NSRecursiveLock()
    /// Whether events still reach the sink; changed only under `delivery`.
    private let isOpen = Atomic<Bool>(true)

    /// A gate in front of `sink`; nil: events are only recorded.
    package init(sink: (@Sendable (RunEvent) -> Void)?) {
        self.sink = sink
    }

    /// Runs `record`, which records something with the invocation and returns its outcome
    /// and the event to publish (nil when nothing was recorded, for instance because the
    /// invocation has ended), then hands that event to the sink unless the gate is closed.
    ///
    /// `record` must not end the invocation itself: it returns, and its caller ends the
    /// invocation afterwards.
    package func publish<Outcome>(_ record: () -> (Outcome, RunEvent?)) -> Outcome {
        guard let sink else { return record().0 }
        delivery.lock()
        defer { delivery.unlock() }
        let (outcome, event) = record()
        if let event, isOpen.load(ordering: .relaxed) {
            sink(event)
        }
        return outcome
    }

    /// Stops every later event; waits for a delivery in progress on another thread.
    package func close() {
        delivery.lock()
        isOpen.store(false, ordering: .relaxed)
        delivery.unlock()
    }
}

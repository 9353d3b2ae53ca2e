import Glibc
import Synchronization
import SystemCalls

/// A one-shot event that `poll(2)` can wait for: the read end of a pipe becomes readable
/// once the event has fired.
///
/// Any thread may fire it; an I/O thread blocked in `poll` on ``fileDescriptor`` wakes up.
/// Both ends of the pipe are close-on-exec, and closed when the last reference goes, so
/// that a late `fire()` from a cancellation handler never writes to a reused descriptor.
final class PollableSignal: Sendable {
    private let pipe: PipeEnds
    private let fired = Atomic<Bool>(false)

    /// The read end: readable once the signal has fired.
    var fileDescriptor: Int32 { pipe.readEnd.rawValue }

    /// Creates an unfired signal.
    ///
    /// - Throws: ``SystemCallError`` when no pipe can be made (out of file descriptors).
    init() throws(SystemCallError) {
        pipe = try PipeEnds()
    }

    /// Whether ``fire()`` has been called.
    var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Fires the signal; later calls do nothing. Never blocks: one byte always fits in an
    /// empty pipe.
    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? pipe.writeEnd.writeAll([1])
    }
}

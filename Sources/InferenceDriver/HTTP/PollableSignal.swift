import CSystemShims
import Glibc
import Synchronization

/// A one-shot event that `poll(2)` can wait for: the read end of a pipe becomes readable
/// once the event has fired.
///
/// Any thread may fire it; an I/O thread blocked in `poll` on ``fileDescriptor`` wakes up.
/// Both ends of the pipe are close-on-exec, and closed when the last reference goes, so
/// that a late `fire()` from a cancellation handler never writes to a reused descriptor.
final class PollableSignal: Sendable {
    /// The read end: readable once the signal has fired.
    let fileDescriptor: Int32
    private let writeEnd: Int32
    private let fired = Atomic<Bool>(false)

    /// Creates an unfired signal.
    ///
    /// - Throws: ``SystemError`` when no pipe can be made (out of file descriptors).
    init() throws(SystemError) {
        var ends: [Int32] = [-1, -1]
        if case let .failure(error) = SystemError.retryingInterrupted({ cshim_pipe_cloexec(&ends) }) {
            throw error
        }
        fileDescriptor = ends[0]
        writeEnd = ends[1]
    }

    deinit {
        close(fileDescriptor)
        close(writeEnd)
    }

    /// Whether ``fire()`` has been called.
    var hasFired: Bool { fired.load(ordering: .acquiring) }

    /// Fires the signal; later calls do nothing. Never blocks: one byte always fits in an
    /// empty pipe.
    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = SystemError.retryingInterrupted { write(writeEnd, &byte, 1) }
    }
}

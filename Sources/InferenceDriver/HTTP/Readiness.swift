import Glibc
import SystemCalls

/// Waiting, with `poll(2)`, for a file descriptor to become ready, for a cancellation,
/// or for a deadline, whichever comes first.
enum Readiness {
    /// Blocks the calling thread until `fileDescriptor` is ready for `events` (or has an
    /// error or hang-up to report, which the next call on it returns).
    ///
    /// - Throws: ``HTTPTransportError/cancelled`` once `cancellation` has fired (checked
    ///   first), `deadline`'s failure once it passes, or ``HTTPTransportError/ioFailed(reason:)``
    ///   if `poll` itself fails.
    static func wait(
        for fileDescriptor: Int32, events: Int32, until deadline: Deadline, cancellation: PollableSignal
    ) throws(HTTPTransportError) {
        var descriptors = [
            pollfd(fd: fileDescriptor, events: Int16(events), revents: 0),
            pollfd(fd: cancellation.fileDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            // The timeout is worked out again on each try, so that signals cannot stretch it.
            do throws(SystemCallError) {
                try retryingOnInterrupt("poll") {
                    poll(&descriptors, nfds_t(descriptors.count), deadline.remainingMilliseconds())
                }
            } catch {
                throw .ioFailed(reason: "poll failed: \(error.errno)")
            }
            if descriptors[1].revents != 0 || cancellation.hasFired { throw .cancelled }
            if descriptors[0].revents != 0 { return }
            // poll rounds its timeout to the clock's granularity and may return a
            // little early: only the clock says whether the deadline has passed.
            if deadline.remainingMilliseconds() == 0 { throw deadline.failure }
        }
    }
}

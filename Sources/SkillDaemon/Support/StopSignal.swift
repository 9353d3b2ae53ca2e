import Foundation
import Glibc
import Synchronization
import SystemCalls

/// Turns the first of some signals into an awaitable event, passes on each reload signal,
/// and watches what the daemon cannot serve or stop without.
///
/// The signals are caught by a plain handler (``StopSignals``, ``ReloadSignals``) that
/// records them and writes a byte to a pipe; a thread of its own, `skillhost.signals`, waits
/// on that pipe, and also wakes every ``pollInterval``, so that a signal is seen even when
/// the pipe is gone. No event loop is involved: an in-process skill that closes the
/// descriptors of Dispatch's event loop cannot make the daemon deaf to SIGTERM or SIGHUP. A
/// second stop signal, while the daemon is still stopping, ends the process at once (runs
/// still in flight are then recorded as interrupted by the next start). The reload signal
/// calls `onReload` on that thread, which must return at once (hand the work to another
/// thread); reload signals that arrive before it is called count as one, and those after
/// the stop signal are ignored.
///
/// The thread also checks, at each wake-up, that the pipe and the descriptors given by
/// `watching` (the listening socket and its lock) are still the ones they were; and once a
/// signal was delivered, that the process has ended within `shutdownLimit()` (read when the
/// signal arrives, so that a reload can change it). When either fails
/// it calls `onFailure`, which must end the process: code in the daemon's process closed
/// what it needs, and only a restart can bring it back.
package final class StopSignal: Sendable {
    /// Why the daemon can neither serve nor stop as it should.
    package enum Failure: Sendable, Equatable {
        /// A descriptor it serves with was closed or replaced; the reason says which.
        case descriptorLost(String)
        /// The process has not ended `limit` after the stop signal.
        case shutdownOverran(limit: Duration)
    }

    /// How often the thread wakes without a signal, to check the descriptors.
    package static let pollInterval = Duration.seconds(1)

    private let wake: PipeEnds
    private let received = Mutex<(signal: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))

    /// Starts catching `signals`, and `reloadSignal` when given; see the type's documentation.
    /// - Throws: ``SystemCallError`` when the pipe cannot be made or a signal not caught.
    package init(signals: [Int32], reloadSignal: Int32? = nil, shutdownLimit: @escaping @Sendable () -> Duration,
                 watching: @escaping @Sendable () -> [DescriptorIdentity], onReload: @escaping @Sendable () -> Void = {},
                 onFailure: @escaping @Sendable (Failure) -> Void) throws(SystemCallError)
    {
        wake = try PipeEnds()
        let ends = [wake.readEnd.rawValue, wake.writeEnd.rawValue]
        for end in ends {
            try retryingOnInterrupt("fcntl(O_NONBLOCK)") { fcntl(end, F_SETFL, O_NONBLOCK) }
        }
        let own = [
            try DescriptorIdentity(of: ends[0], role: "the read end of the daemon's signal wake-up pipe"),
            try DescriptorIdentity(of: ends[1], role: "the write end of the daemon's signal wake-up pipe"),
        ]
        for signal in signals {
            try StopSignals.catchSignal(signal, wakingDescriptor: ends[1])
        }
        if let reloadSignal {
            try ReloadSignals.catchSignal(reloadSignal, wakingDescriptor: ends[1])
        }
        let caught = signals + (reloadSignal.map { [$0] } ?? [])
        let thread = Thread { [self] in
            watch(signals: caught, own: own, watching: watching, shutdownLimit: shutdownLimit, onReload: onReload,
                  onFailure: onFailure)
        }
        thread.name = "skillhost.signals"
        thread.stackSize = 256 << 10
        thread.start()
    }

    /// Waits for the first of the signals and returns its number.
    package func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let already = received.withLock { state -> Int32? in
                if let signal = state.signal { return signal }
                state.waiter = continuation
                return nil
            }
            if let already { continuation.resume(returning: already) }
        }
    }

    /// The body of the thread: waits for a signal, checking the descriptors at each wake-up;
    /// passes reload requests on; delivers the stop signal; then gives the process
    /// `shutdownLimit()` to end.
    private func watch(signals: [Int32], own: [DescriptorIdentity], watching: @Sendable () -> [DescriptorIdentity],
                       shutdownLimit: @Sendable () -> Duration, onReload: @Sendable () -> Void,
                       onFailure: @Sendable (Failure) -> Void)
    {
        // Started from a thread that may block them (a Dispatch worker): this one must not.
        for signal in signals { StopSignals.unblockInCallingThread(signal) }
        let readEnd = own[0].descriptor
        while true {
            var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, Self.pollInterval.millisecondsRoundedUp)
            if let loss = (own + watching()).lazy.compactMap(\.loss).first {
                onFailure(.descriptorLost(loss))
                return
            }
            // Drained before the flags are read, so that a signal arriving meanwhile leaves a
            // byte that wakes the next poll at once.
            var bytes = [UInt8](repeating: 0, count: 64)
            while bytes.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
            if let signal = StopSignals.received {
                deliver(signal)
                break
            }
            if ReloadSignals.takeRequest() {
                onReload()
            }
        }
        // The daemon stops now; poll without descriptors is a sleep that needs none.
        let clock = ContinuousClock()
        let limit = shutdownLimit()
        let deadline = clock.now + limit
        while clock.now < deadline {
            _ = poll(nil, 0, (deadline - clock.now).millisecondsRoundedUp)
        }
        onFailure(.shutdownOverran(limit: limit))
    }

    private func deliver(_ signal: Int32) {
        let waiter = received.withLock { state -> CheckedContinuation<Int32, Never>? in
            state.signal = signal
            return state.waiter.take()
        }
        waiter?.resume(returning: signal)
    }
}

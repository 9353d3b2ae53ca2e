import Dispatch
import Glibc
import Synchronization

/// Turns the first of some signals into an awaitable event. The signals' default actions
/// are disabled for the life of the process, so that the daemon decides how to stop; a
/// second signal, while the daemon is still stopping, ends the process at once (runs still
/// in flight are then recorded as interrupted by the next start).
package final class StopSignal: Sendable {
    /// The dispatch sources, kept alive for the life of this object. Dispatch sources are not
    /// `Sendable`; the mutex makes the (only) access, in `init`, provably exclusive.
    private let sources: Mutex<[(signal: Int32, source: any DispatchSourceSignal)]>
    private let received = Mutex<(signal: Int32?, waiter: CheckedContinuation<Int32, Never>?)>((nil, nil))

    /// Starts listening for `signals`.
    package init(signals: [Int32]) {
        let queue = DispatchQueue(label: "skillhost.signals")
        for number in signals {
            Glibc.signal(number, SIG_IGN)
        }
        sources = Mutex(signals.map { ($0, DispatchSource.makeSignalSource(signal: $0, queue: queue)) })
        sources.withLock { sources in
            for (number, source) in sources {
                source.setEventHandler { [weak self] in self?.deliver(number) }
                source.resume()
            }
        }
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

    private func deliver(_ signal: Int32) {
        let waiter = received.withLock { state -> CheckedContinuation<Int32, Never>? in
            guard state.signal == nil else { _exit(128 + signal) }
            state.signal = signal
            return state.waiter.take()
        }
        waiter?.resume(returning: signal)
    }
}

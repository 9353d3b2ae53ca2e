import Synchronization

/// The first of several racing results, handed to the one task that awaits it.
///
/// Settling is thread-safe and only the first call counts; ``value()`` may be called once
/// and returns as soon as the outcome is settled, whether before or after the call.
final class FirstOutcome<Value: Sendable>: Sendable {
    /// Where the race stands.
    private enum State {
        /// Nothing settled, nobody waiting.
        case open
        /// Nothing settled; the awaiting task is suspended here.
        case awaited(CheckedContinuation<Value, Never>)
        /// Settled before anyone waited.
        case settled(Value)
        /// Handed over; later results are discarded.
        case delivered
    }

    /// `Mutex`: settlers are Dispatch threads and tasks; every access is a short swap.
    private let state = Mutex<State>(.open)

    /// Creates an open race.
    init() {}

    /// Offers a result; only the first one offered is kept.
    func settle(_ value: Value) {
        let waiting: CheckedContinuation<Value, Never>? = state.withLock { state in
            switch state {
            case .open:
                state = .settled(value)
                return nil
            case let .awaited(continuation):
                state = .delivered
                return continuation
            case .settled, .delivered:
                return nil
            }
        }
        waiting?.resume(returning: value)
    }

    /// The first result offered, waiting for it if need be. Call once.
    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = state.withLock { state in
                switch state {
                case .open:
                    state = .awaited(continuation)
                    return nil
                case let .settled(value):
                    state = .delivered
                    return value
                case .awaited, .delivered:
                    preconditionFailure("FirstOutcome.value() called twice")
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

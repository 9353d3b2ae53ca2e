import Synchronization

/// A run waiting for a worker: woken once, or cancelled once, whichever comes first.
final class WorkerWaiter: Sendable {
    private enum Phase {
        /// Not woken yet; the continuation once the task has suspended.
        case waiting(CheckedContinuation<Void, Never>?)
        case resumed
        case cancelled
    }

    private let phase = Mutex(Phase.waiting(nil))

    /// Suspends until ``resume()`` or ``cancel()``; returns at once if either came first.
    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = phase.withLock { phase in
                guard case .waiting = phase else { return true }
                phase = .waiting(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    /// Wakes the waiter. False when it was cancelled: the wake-up must go to another.
    func resume() -> Bool {
        let (continuation, taken) = phase.withLock { phase -> (CheckedContinuation<Void, Never>?, Bool) in
            guard case let .waiting(continuation) = phase else { return (nil, false) }
            phase = .resumed
            return (continuation, true)
        }
        continuation?.resume()
        return taken
    }

    /// Gives up waiting. True when it had not been woken (it is still in the queue).
    func cancel() -> Bool {
        let (continuation, wasWaiting) = phase.withLock { phase -> (CheckedContinuation<Void, Never>?, Bool) in
            guard case let .waiting(continuation) = phase else { return (nil, false) }
            phase = .cancelled
            return (continuation, true)
        }
        continuation?.resume()
        return wasWaiting
    }
}

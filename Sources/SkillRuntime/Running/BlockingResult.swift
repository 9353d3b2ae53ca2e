import Dispatch
import Synchronization

/// A value produced by asynchronous code and awaited by a thread that may block: a skill's
/// thread waiting for an inference call that runs on the concurrency pool. Never wait on it
/// from the pool itself.
final class BlockingResult<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let delivered = DispatchSemaphore(value: 0)

    /// Stores the value and wakes the waiter. Call once.
    func deliver(_ newValue: Value) {
        value.withLock { $0 = newValue }
        delivered.signal()
    }

    /// Blocks the calling thread until the value is delivered, and returns it.
    func wait() -> Value {
        delivered.wait()
        return value.withLock { $0! }
    }
}

/// A request waiting for a free slot on an endpoint of its model.
struct SlotWaiter {
    /// Identifies the waiter, so that its cancellation can find it.
    let id: UInt64
    /// The logical model it needs.
    let model: String
    /// Endpoints this request has already tried, chosen again only when nothing else is free.
    let alreadyTried: Set<UInt64>
    /// Resumed exactly once: with a slot, with ``InferenceError/noEndpoints(model:)`` when
    /// the model's last endpoint is detached, or with ``InferenceError/cancelled``.
    let continuation: CheckedContinuation<Result<EndpointLease, InferenceError>, Never>
}

/// A waiter to resume once the router's lock is released, and what to resume it with.
struct SlotGrant {
    /// The waiter's continuation.
    let continuation: CheckedContinuation<Result<EndpointLease, InferenceError>, Never>
    /// Its slot, or why it gets none.
    let result: Result<EndpointLease, InferenceError>

    /// Resumes the waiter; call it outside the lock.
    func resume() {
        continuation.resume(returning: result)
    }
}

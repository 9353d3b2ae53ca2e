import SkillRuntime
import Synchronization

/// The `load` → `loaded` | `load_failed` exchange with a new worker: its events until it
/// answers, and the task awaiting the answer.
final class LoadHandshake: Sendable {
    private struct State {
        var worker: WorkerProcess?
        var outcome: Result<WorkerProcess, InvocationFailure>?
        var waiter: CheckedContinuation<Result<WorkerProcess, InvocationFailure>, Never>?
    }

    private let state = Mutex(State())

    /// The worker whose events this handshake receives.
    func attach(_ worker: WorkerProcess) {
        state.withLock { $0.worker = worker }
    }

    /// The worker's event handler while it loads.
    @Sendable func handle(_ event: WorkerEvent) {
        let failure: InvocationFailure?
        switch event {
        case .message(.loaded):
            failure = nil
        case let .message(.loadFailed(message)):
            failure = .loadFailed(message: message)
        case let .message(other):
            failure = .crashed(reason: "protocol violation: the worker sent \(other.name) instead of loaded or load_failed")
        case let .ended(exit):
            failure = .crashed(reason: "while loading the skill, " + exit.crashReason)
        }
        let (waiter, result) = state.withLock { state -> (CheckedContinuation<Result<WorkerProcess, InvocationFailure>, Never>?, Result<WorkerProcess, InvocationFailure>?) in
            guard state.outcome == nil else { return (nil, nil) }
            let outcome: Result<WorkerProcess, InvocationFailure>
            if let failure {
                outcome = .failure(failure)
            } else if let worker = state.worker.take() {
                outcome = .success(worker)
            } else {
                outcome = .failure(.crashed(reason: "protocol violation: the worker answered before it was asked to load"))
            }
            state.outcome = outcome
            // The worker holds this handshake as its handler: let go of it, no cycle remains.
            state.worker = nil
            return (state.waiter.take(), outcome)
        }
        if let waiter, let result { waiter.resume(returning: result) }
    }

    /// Waits for the answer.
    func result() async -> Result<WorkerProcess, InvocationFailure> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Result<WorkerProcess, InvocationFailure>? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

import Registry
import Synchronization

/// Hands the id of a run that a background task starts to the one caller waiting for it:
/// resolved once, when the run is recorded or when it could not start.
final class RunStartSignal: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Int64, any Error>?)
        case resolved(Result<Int64, any Error>)
    }

    /// A `Mutex`: the signal is resolved from the run's task and awaited from the
    /// scheduler, and each access is short and synchronous.
    private let state = Mutex<State>(.waiting(nil))

    /// Resolves the signal with the run's id; later resolutions are ignored.
    func started(_ run: RunRecord) {
        resolve(.success(run.id))
    }

    /// Resolves the signal with the reason no run started; ignored once resolved.
    func failed(_ error: any Error) {
        resolve(.failure(error))
    }

    /// The id of the started run, once it is recorded.
    /// - Throws: The reason no run started.
    func runID() async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            let resolved = state.withLock { state -> Result<Int64, any Error>? in
                if case let .resolved(result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let resolved { continuation.resume(with: resolved) }
        }
    }

    private func resolve(_ result: Result<Int64, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int64, any Error>?? in
            guard case let .waiting(continuation) = state else { return nil }
            state = .resolved(result)
            return .some(continuation)
        }
        if case let .some(continuation?) = waiter { continuation.resume(with: result) }
    }
}

import Dispatch

/// One health probe of one backend, bounded in time.
enum HealthProbe {
    /// Runs `backend.checkHealth()` and returns how it ended, or
    /// ``InferenceError/timedOut(endpoint:after:)`` once `limit` has passed, whichever
    /// comes first. Cancelling the calling task ends the wait at once with
    /// ``InferenceError/cancelled``.
    ///
    /// The deadline is a Dispatch timer, not `Task.sleep`: it must fire even when the
    /// cooperative pool is saturated, and even when the backend ignores cancellation (the
    /// probe is then left to finish on its own, its result discarded).
    static func run(_ backend: any InferenceBackend, within limit: Duration, endpoint: String) async -> Result<Void, InferenceError> {
        let outcome = FirstOutcome<Result<Void, InferenceError>>()
        let probe = Task {
            do throws(InferenceError) {
                try await backend.checkHealth()
                outcome.settle(.success(()))
            } catch {
                outcome.settle(.failure(error))
            }
        }
        let deadline = DispatchWorkItem {
            outcome.settle(.failure(.timedOut(endpoint: endpoint, after: limit)))
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + dispatchInterval(limit), execute: deadline)
        let result = await withTaskCancellationHandler {
            await outcome.value()
        } onCancel: {
            outcome.settle(.failure(.cancelled))
        }
        deadline.cancel()
        probe.cancel()
        return result
    }

    /// `duration` as a Dispatch interval in whole nanoseconds: zero when negative,
    /// `.never` when too long to count in nanoseconds.
    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return .nanoseconds(0) }
        let (wholeSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, wholeSeconds < Int64(Int.max) - 1_000_000_000 else { return .never }
        return .nanoseconds(Int(wholeSeconds + attoseconds / 1_000_000_000))
    }
}

import Dispatch
import SkillRuntime
import Synchronization

/// The `inspect` exchange (docs/WORKER-PROTOCOL.md) with a throwaway worker: the daemon
/// never `dlopen`s a file it is asked to install, because `dlopen` runs the file's ELF
/// constructors, a constructor that crashes would take the daemon down, and `RTLD_NODELETE`
/// would keep every inspected file mapped for good. The worker loads the file, answers
/// `inspected` or `load_failed`, and exits 0.
enum WorkerInspection {
    /// Inspects the file at `path` in a new worker started with `settings` as `identity`,
    /// sandboxed without grants; kills the
    /// worker when it has not answered after ``ProcessIsolationSettings/inspectionTimeout``.
    static func inspect(path: String, settings: ProcessIsolationSettings,
                        identity: WorkerSandboxSettings.Identity) async -> Result<SkillManifest, SkillInspectionError>
    {
        let answer = Answer()
        let launch = WorkerLaunch(settings: settings, memoryLimitBytes: settings.memoryLimitBytes, skillPath: path,
                                  grants: .none, identity: identity)
        let spawned = await SpawnThread.shared.run { () -> Result<WorkerProcess, WorkerSpawnError> in
            do throws(WorkerSpawnError) {
                return .success(try WorkerProcess.spawn(launch, handler: { answer.receive($0, path: path) }))
            } catch {
                return .failure(error)
            }
        }
        let worker: WorkerProcess
        switch spawned {
        case let .success(started): worker = started
        case let .failure(error): return .failure(.workerFailed(path: path, reason: error.description))
        }
        let timeout = settings.inspectionTimeout
        let timer = DeadlineTimer(after: timeout) { [weak worker] in
            answer.resolve(.failure(.timedOut(path: path, timeout: timeout)))
            worker?.kill()
        }
        defer { timer.cancel() }
        guard worker.send(.inspect(path: path)) else {
            // The worker is gone already: its end, reported to `answer`, says how.
            return await answer.result()
        }
        let result = await withTaskCancellationHandler {
            await answer.result()
        } onCancel: {
            answer.resolve(.failure(.workerFailed(path: path, reason: "the install was cancelled")))
            worker.kill()
        }
        if case .failure = result { worker.kill() }
        return result
    }

    /// The worker's one answer, and the task waiting for it. The first outcome wins: the
    /// answer, the timeout, or the worker's end.
    private final class Answer: Sendable {
        private struct State {
            var outcome: Result<SkillManifest, SkillInspectionError>?
            var waiter: CheckedContinuation<Result<SkillManifest, SkillInspectionError>, Never>?
        }

        private let state = Mutex(State())

        /// The worker's event handler.
        func receive(_ event: WorkerEvent, path: String) {
            switch event {
            case let .message(.inspected(manifest)):
                resolve(.success(manifest))
            case let .message(.loadFailed(message)):
                resolve(.failure(.refused(message: message)))
            case let .message(other):
                resolve(.failure(.workerFailed(
                    path: path, reason: "protocol violation: the worker sent \(other.name) instead of inspected or load_failed")))
            case let .ended(exit):
                if let error = exit.protocolError, error != .connectionClosed {
                    resolve(.failure(.workerFailed(path: path, reason: "protocol violation: \(error)")))
                } else {
                    resolve(.failure(.crashed(path: path, termination: exit.termination.description,
                                              standardErrorTail: exit.standardErrorTail)))
                }
            }
        }

        /// Records `outcome` unless one is recorded already, and wakes the waiter.
        func resolve(_ outcome: Result<SkillManifest, SkillInspectionError>) {
            let waiter = state.withLock { state -> CheckedContinuation<Result<SkillManifest, SkillInspectionError>, Never>? in
                guard state.outcome == nil else { return nil }
                state.outcome = outcome
                return state.waiter.take()
            }
            waiter?.resume(returning: outcome)
        }

        /// Waits for the outcome.
        func result() async -> Result<SkillManifest, SkillInspectionError> {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Result<SkillManifest, SkillInspectionError>? in
                    if let outcome = state.outcome { return outcome }
                    state.waiter = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}

import Dispatch
import Synchronization

/// Group commit of run records: the starts and ends of runs that are waiting to be recorded
/// at the same moment are written in one transaction, on a queue of the recorder's own, and
/// each caller resumes once its record is committed.
///
/// Recording a run costs two write transactions, and a commit's cost is mostly fixed: the
/// locks (`fcntl`), the frames appended to the log (a `pwrite` each, and the pages of the
/// `runs` table and its indexes are shared by neighbouring runs). Committing the records of
/// many runs together divides that cost among them; and since callers `await` rather than
/// block, the Swift concurrency pool keeps serving while SQLite writes.
///
/// Each record is written inside a savepoint of the shared transaction: one that fails (a
/// run already finished) is rolled back alone and its caller gets the error, the others
/// commit. If the commit itself fails, every caller of that batch gets the error.
final class RunRecorder: Sendable {
    /// One record waiting to be written.
    private enum Job: Sendable {
        case start(NewRun, CheckedContinuation<Result<RunRecord, RegistryError>, Never>)
        case end(id: Int64, RunCompletion, CheckedContinuation<Result<RunRecord, RegistryError>, Never>)
    }

    /// The most records written in one transaction, so that no caller waits behind an
    /// unbounded batch.
    static let maximumBatch = 256

    private let database: DatabaseQueue
    private let queue = DispatchQueue(label: "skillhost.registry.run-recorder", qos: .userInitiated)
    /// The records waiting, and whether a drain of them is queued or running.
    private let pending = Mutex<(jobs: [Job], draining: Bool)>(([], false))

    /// A recorder writing to `database`.
    init(database: DatabaseQueue) {
        self.database = database
    }

    /// Records a new run (see ``Registry/createRun(_:)``) once it is committed.
    func recordStart(_ run: NewRun) async -> Result<RunRecord, RegistryError> {
        await withCheckedContinuation { continuation in
            submit(.start(run, continuation))
        }
    }

    /// Records the final state of run `id` (see ``Registry/finishRun(id:with:)``) once it is committed.
    func recordEnd(id: Int64, with completion: RunCompletion) async -> Result<RunRecord, RegistryError> {
        await withCheckedContinuation { continuation in
            submit(.end(id: id, completion, continuation))
        }
    }

    private func submit(_ job: Job) {
        let startDrain = pending.withLock { pending -> Bool in
            pending.jobs.append(job)
            guard !pending.draining else { return false }
            pending.draining = true
            return true
        }
        if startDrain {
            queue.async { [self] in drain() }
        }
    }

    /// Writes batches until none is waiting. Records that arrive while a batch commits form
    /// the next one.
    private func drain() {
        while true {
            let jobs = pending.withLock { pending -> [Job] in
                let batch = Array(pending.jobs.prefix(Self.maximumBatch))
                pending.jobs.removeFirst(batch.count)
                if batch.isEmpty { pending.draining = false }
                return batch
            }
            guard !jobs.isEmpty else { return }
            write(jobs)
        }
    }

    /// Writes `jobs` in one transaction and resumes their callers.
    private func write(_ jobs: [Job]) {
        let outcomes: [Result<RunRecord, RegistryError>]
        do {
            outcomes = try database.write { (connection) throws(RegistryError) -> [Result<RunRecord, RegistryError>] in
                var outcomes: [Result<RunRecord, RegistryError>] = []
                outcomes.reserveCapacity(jobs.count)
                for job in jobs {
                    outcomes.append(Self.perform(job, in: connection))
                }
                return outcomes
            }
        } catch {
            outcomes = Array(repeating: .failure(error), count: jobs.count)
        }
        for (job, outcome) in zip(jobs, outcomes) {
            switch job {
            case let .start(_, continuation), let .end(_, _, continuation):
                continuation.resume(returning: outcome)
            }
        }
    }

    /// Writes one record inside a savepoint of the open transaction.
    private static func perform(_ job: Job, in connection: DatabaseConnection) -> Result<RunRecord, RegistryError> {
        do {
            try mapped(connection.execute("SAVEPOINT run_record"))
        } catch {
            return .failure(error)
        }
        let outcome: Result<RunRecord, RegistryError>
        do throws(RegistryError) {
            switch job {
            case let .start(run, _):
                outcome = .success(try Registry.insertRun(run, in: connection))
            case let .end(id, completion, _):
                outcome = .success(try Registry.writeEnd(ofRun: id, with: completion, in: connection))
            }
        } catch {
            outcome = .failure(error)
        }
        if case .failure = outcome {
            try? connection.execute("ROLLBACK TO run_record")
        }
        do {
            try mapped(connection.execute("RELEASE run_record"))
        } catch {
            return .failure(error)
        }
        return outcome
    }
}

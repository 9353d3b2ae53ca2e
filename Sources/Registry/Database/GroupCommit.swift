import Dispatch
import Synchronization

/// Group commit: writes submitted at the same moment (the start and end of runs, the claims
/// and ends of batch items) are made in one transaction, on a queue of their own, and each
/// caller resumes once its write is committed.
///
/// A commit's cost is mostly fixed: the locks (`fcntl`), the frames appended to the log (a
/// `pwrite` each, and neighbouring runs share the pages of the `runs` table and its indexes).
/// Committing many writes together divides that cost among them; and since callers `await`
/// rather than block, the Swift concurrency pool keeps serving while SQLite writes.
///
/// Each write runs inside a savepoint of the shared transaction: one that throws (a run
/// already finished) is rolled back alone and its caller gets the error, the others commit.
/// If the transaction itself fails (a savepoint cannot be opened, rolled back or released,
/// SQLite rolled the whole transaction back after a disk error, the commit fails), nothing
/// of the batch is kept and every caller of that batch gets the error.
final class GroupCommit: Sendable {
    /// One write waiting: `perform` makes it inside the open transaction and returns how to
    /// answer its caller once that commits, or throws when the transaction cannot go on;
    /// `fail` answers the caller when the transaction does not commit.
    private struct Job: Sendable {
        let perform: @Sendable (DatabaseConnection) throws(RegistryError) -> @Sendable () -> Void
        let fail: @Sendable (RegistryError) -> Void
    }

    /// The most writes made in one transaction, so that no caller waits behind an
    /// unbounded batch.
    static let maximumBatch = 256

    private let database: DatabaseQueue
    private let queue = DispatchQueue(label: "skillhost.registry.group-commit", qos: .userInitiated)
    /// The writes waiting, and whether a drain of them is queued or running.
    private let pending = Mutex<(jobs: [Job], draining: Bool)>(([], false))

    /// Group commit of writes to `database`.
    init(database: DatabaseQueue) {
        self.database = database
    }

    /// Makes `body`'s writes in the next group transaction and returns its value once they
    /// are committed. The calling task is suspended meanwhile, never a thread blocked; the
    /// write is made even if the task is cancelled (it was asked for).
    func write<Value: Sendable>(
        _ body: @escaping @Sendable (DatabaseConnection) throws(RegistryError) -> Value
    ) async throws(RegistryError) -> Value {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, RegistryError>, Never>) in
            submit(Job(
                perform: { (connection) throws(RegistryError) in
                    let outcome = try Self.inSavepoint(connection, body)
                    return { continuation.resume(returning: outcome) }
                },
                fail: { error in continuation.resume(returning: .failure(error)) }))
        }
        return try result.get()
    }

    /// Writes submitted and not yet taken into a transaction (for tests).
    var waitingCount: Int {
        pending.withLock { $0.jobs.count }
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

    /// Writes batches until none is waiting. Writes that arrive while a batch commits form
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

    /// Makes `jobs` in one transaction and answers their callers.
    private func write(_ jobs: [Job]) {
        do {
            let answers = try database.write { (connection) throws(RegistryError) -> [@Sendable () -> Void] in
                var answers: [@Sendable () -> Void] = []
                for job in jobs {
                    answers.append(try job.perform(connection))
                }
                return answers
            }
            for answer in answers { answer() }
        } catch {
            for job in jobs { job.fail(error) }
        }
    }

    /// Runs `body` inside a savepoint of the open transaction, rolled back if it throws.
    /// - Returns: `body`'s value or error, its caller's answer.
    /// - Throws: when the transaction cannot go on: its savepoint cannot be opened, rolled
    ///   back or released. That is also how a transaction that SQLite rolled back itself
    ///   (after some errors, such as a full disk) shows: its savepoint is gone. The whole
    ///   batch then fails; going on would open the next savepoint outside any transaction,
    ///   and its release would commit it alone.
    private static func inSavepoint<Value>(
        _ connection: DatabaseConnection, _ body: (DatabaseConnection) throws(RegistryError) -> Value
    ) throws(RegistryError) -> Result<Value, RegistryError> {
        try mapped(connection.execute("SAVEPOINT group_commit"))
        let outcome: Result<Value, RegistryError>
        do throws(RegistryError) {
            outcome = .success(try body(connection))
        } catch {
            outcome = .failure(error)
            try mapped(connection.execute("ROLLBACK TO group_commit"))
        }
        try mapped(connection.execute("RELEASE group_commit"))
        return outcome
    }
}

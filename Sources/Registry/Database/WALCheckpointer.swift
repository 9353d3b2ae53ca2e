import CSQLite
import Dispatch
import Synchronization

/// Checkpoints a database's write-ahead log on a connection and a thread of its own, so that
/// no commit waits for one.
///
/// SQLite's automatic checkpoint runs inside the `COMMIT` that takes the log past 1000
/// pages: on the committing thread, while the ``DatabaseQueue``'s lock is held, with two
/// `fdatasync` calls (`synchronous = NORMAL`). In the daemon that commit is a run being
/// recorded on the Swift concurrency pool, so every few hundred runs the whole daemon
/// stalled for the length of two disk syncs (skillbench: p99 of a noop run 20 to 50 ms).
/// Here the commit only notes the log's length; a `PASSIVE` checkpoint on a second
/// connection then copies the pages back while writers go on appending, and syncs outside
/// anyone's lock.
///
/// Under sustained writes a background checkpoint never catches up completely (pages are
/// appended while it syncs), and SQLite restarts the log from its beginning only once every
/// page in it has been copied back. So a commit that finds the log past
/// ``Limits/inline`` checkpoints inline, as SQLite would have: it only has the few pages
/// written since the last background checkpoint to copy, and the log then restarts. That
/// bounds the log (40 MiB of 4 KiB pages) and makes inline syncs ten times rarer.
///
/// Checkpointing is an optimisation, not a duty: a checkpoint that fails (busy with another
/// process's checkpoint, say) is tried again after the next commit, and SQLite reads correctly
/// from a log of any length.
final class WALCheckpointer: Sendable {
    /// When checkpoints happen, in pages of the log.
    struct Limits: Sendable {
        /// The log length from which a background checkpoint starts.
        var background: Int32
        /// The log length from which the committing connection checkpoints itself.
        var inline: Int32

        /// The daemon's: SQLite's own automatic threshold in the background, ten times that inline.
        static let standard = Limits(background: 1_000, inline: 10_000)
    }

    /// The database file.
    let path: String
    /// When it checkpoints.
    let limits: Limits
    /// The checkpointing connection, used only on `queue`. Opened up front, so that the
    /// daemon's descriptors do not grow at its first checkpoint.
    private let connection: Mutex<DatabaseConnection>
    private let queue: DispatchQueue
    /// Whether a background checkpoint is queued or running.
    private let scheduled = Atomic<Bool>(false)
    private let latestLogPages = Atomic<Int32>(0)

    /// A checkpointer of the database file at `path`, with a connection of its own to it.
    init(path: String, limits: Limits = .standard) throws(DatabaseError) {
        self.path = path
        self.limits = limits
        connection = Mutex(try DatabaseConnection(path: path))
        queue = DispatchQueue(label: "skillhost.registry.checkpoint", qos: .utility)
    }

    /// Called after every commit with the number of pages in the log: queues a background
    /// checkpoint when the log has grown past ``Limits/background``.
    /// - Returns: whether the committing connection must checkpoint inline (the log is past
    ///   ``Limits/inline``). No background checkpoint is queued then, so that none holds the
    ///   checkpoint lock when the inline one (retried at each commit until it succeeds) runs.
    func committed(logPages: Int32) -> Bool {
        latestLogPages.store(logPages, ordering: .relaxed)
        if logPages >= limits.inline { return true }
        if logPages >= limits.background, !scheduled.exchange(true, ordering: .acquiringAndReleasing) {
            queue.async { [self] in
                checkpoint()
                scheduled.store(false, ordering: .releasing)
            }
        }
        return false
    }

    /// The length of the log, in pages, after the latest commit (for tests).
    var logPagesAfterLatestCommit: Int32 {
        latestLogPages.load(ordering: .relaxed)
    }

    /// Waits until the checkpoint queued so far, if any, has ended (for tests).
    func waitUntilIdle() {
        queue.sync {}
    }

    /// Copies the log's pages back into the database file, as far as no reader prevents it.
    private func checkpoint() {
        connection.withLock { $0.checkpointPassively() }
    }
}

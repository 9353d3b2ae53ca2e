import Foundation
import Testing
@testable import Registry

@Suite("Checkpoints of the write-ahead log")
struct WALCheckpointerTests {
    /// Runs `body` on a thread of its own: these tests block on the disk (a thousand commits,
    /// the checkpoints' syncs), which must not hold one of the few threads of the Swift
    /// concurrency pool that the other tests need.
    private func onOwnThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Commits `count` transactions, each inserting a row of about one page.
    private func commitRows(_ count: Int, to queue: DatabaseQueue) async throws {
        try await onOwnThread {
            let page = [UInt8](repeating: 7, count: 3_000)
            for _ in 0..<count {
                try queue.write { (database) throws(DatabaseError) in
                    try database.execute("INSERT INTO t (b) VALUES (?)", [page])
                }
            }
        }
    }

    /// Waits until the background checkpoint queued so far, if any, has ended.
    private func checkpointsSettled(_ queue: DatabaseQueue) async throws {
        try await onOwnThread { queue.checkpointer.waitUntilIdle() }
    }

    /// A database at `path` whose log is checkpointed within `limits`, with an empty table `t`.
    private func tableDatabase(at path: String, logLimits: WALCheckpointer.Limits) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, logLimits: logLimits)
        try queue.write { (database) throws(DatabaseError) in
            try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
        }
        return queue
    }

    /// The rows of table `t`, as `queue` reads them.
    private func rowCount(_ queue: DatabaseQueue) throws -> Int64? {
        try queue.read { (database) throws(DatabaseError) in
            try database.fetchOne("SELECT count(*) FROM t") { $0.int64(at: 0) }
        }
    }

    private func fileSize(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test("past the background threshold the log is copied back into the database file off the committing thread")
    func backgroundCheckpoint() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/test.sqlite3"
            // No inline checkpoint at all: only the background can copy pages back.
            let queue = try tableDatabase(at: path, logLimits: .init(background: 100, inline: .max))
            let before = try fileSize(path)

            // About two pages a commit: a new leaf, and the root that points at it.
            try await commitRows(20, to: queue)
            try await checkpointsSettled(queue)
            #expect(try fileSize(path) == before, "below the threshold nothing is checkpointed")

            try await commitRows(60, to: queue)
            // The checkpoint was queued by the commit that took the log past 100 pages, so it
            // copies at least the 40 rows committed before then (more if it began later).
            try await checkpointsSettled(queue)
            #expect(try fileSize(path) >= before + 40 * 3_000, "the background copied rows into the database file")
            let rows = try rowCount(queue)
            #expect(rows == 80)
        }
    }

    @Test("under sustained writes the commit past the inline limit checkpoints and the log starts over")
    func logStaysBounded() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/test.sqlite3"
            let queue = try tableDatabase(at: path, logLimits: .init(background: 50, inline: 200))
            try await commitRows(1_000, to: queue)
            // Once no background checkpoint holds the checkpoint lock, the next commit past
            // the limit checkpoints inline, and the one after writes from the log's start.
            // A commit may queue a background checkpoint that then holds the lock while the
            // inline one is tried (it fails busy, and is tried again at the next commit), so
            // the log may take a few more commits to start over, but not many.
            var extraCommits = 0
            repeat {
                try await checkpointsSettled(queue)
                try await commitRows(2, to: queue)
                extraCommits += 2
            } while queue.checkpointer.logPagesAfterLatestCommit >= 200 && extraCommits < 10
            #expect(queue.checkpointer.logPagesAfterLatestCommit < 200, "the log started over")
            let rows = try rowCount(queue)
            #expect(rows == Int64(1_000 + extraCommits))
        }
    }

    @Test("another connection reads every committed row while the background checkpoints")
    func readersSeeEverything() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/test.sqlite3"
            let queue = try tableDatabase(at: path, logLimits: .init(background: 20, inline: 100))
            let reader = try DatabaseQueue(path: path)
            for round in 1...5 {
                try await commitRows(60, to: queue)
                let rows = try rowCount(reader)
                #expect(rows == Int64(round * 60))
            }
        }
    }
}

import Foundation
@testable import Registry
import SkillhostModel
import Testing

@Suite("Registry: batches")
struct RegistryBatchTests {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    private func newBatch(items: Int, retries: Int = 2) -> NewBatch {
        NewBatch(
            skillName: "echo", skillVersion: "1.0.0", skillSHA256: String(repeating: "b", count: 64), parallelism: 2,
            maximumRetries: retries, timeoutMilliseconds: 5_000, model: "gemma", callerUID: 1000, createdAt: start,
            inputs: (0..<items).map { #"{"n":\#($0)}"# })
    }

    private func claimed(_ claim: BatchClaim) -> BatchItemRecord? {
        if case let .claimed(item) = claim { return item }
        return nil
    }

    @Test("a batch is recorded with its items pending, in order, and reads back the same")
    func create() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 3))
            #expect(batch.status == .running)
            #expect(batch.counts == BatchCounts(pending: 3))
            #expect(try registry.batch(id: batch.id) == batch)
            let items = try #require(try registry.batchItems(matching: BatchItemQuery(batchID: batch.id)))
            #expect(items.map(\.index) == [0, 1, 2])
            #expect(items.map(\.input) == [#"{"n":0}"#, #"{"n":1}"#, #"{"n":2}"#])
            #expect(items.allSatisfy { $0.status == .pending && $0.attempts == 0 })
            #expect(try registry.batch(id: batch.id + 1) == nil)
            #expect(try registry.batchItems(matching: BatchItemQuery(batchID: batch.id + 1)) == nil)
        }
    }

    @Test("claiming the next item reads the pending items only, not every finished one before it")
    func claimDoesNotWalkFinishedItems() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 5_000))
            try registry.database.write { (connection) throws(DatabaseError) in
                try connection.execute(
                    "UPDATE batch_items SET status = 'done', attempts = 1 WHERE batch_id = ? AND item_index < 4990", [batch.id])
            }
            // Warm the statement cache, so that the count below is the claim's alone.
            _ = try await registry.claimBatchItem(batchID: batch.id, at: start)
            let steps = { () throws(DatabaseError) -> Int in
                try registry.database.withConnection { (connection) throws(DatabaseError) -> Int in connection.virtualMachineSteps }
            }
            let before = try steps()
            let item = try #require(claimed(try await registry.claimBatchItem(batchID: batch.id, at: start)))
            let used = try steps() - before
            #expect(item.index == 4991)
            // Walking past the 4,990 finished items took 20,000 steps.
            #expect(used < 1_000, "the claim ran \(used) SQLite steps")
        }
    }

    @Test("claims made at once, committed together, each get an item of their own")
    func concurrentClaims() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 50))
            let start = start
            let indexes = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        if case let .claimed(item) = try await registry.claimBatchItem(batchID: batch.id, at: start) {
                            return item.index
                        }
                        return nil
                    }
                }
                return try await group.reduce(into: [Int]()) { indexes, index in
                    if let index { indexes.append(index) }
                }
            }
            #expect(indexes.sorted() == Array(0..<50), "each item claimed once, ten claims found nothing")
        }
    }

    @Test("claims go in index order; the batch is done once every item ended, and a final state is written once")
    func lifecycle() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 2))
            let first = try #require(claimed(try await registry.claimBatchItem(batchID: batch.id, at: start)))
            let second = try #require(claimed(try await registry.claimBatchItem(batchID: batch.id, at: start)))
            #expect((first.index, first.attempts, first.status) == (0, 1, .running))
            #expect(second.index == 1)
            #expect(try await registry.claimBatchItem(batchID: batch.id, at: start) == .nothingPending)

            let done = try await registry.finishBatchAttempt(
                batchID: batch.id, index: 0, runID: 11, outcome: .succeeded(output: #"{"ok":true}"#), at: start)
            #expect(done?.status == .done)
            #expect(done?.runID == 11)
            #expect(try registry.batch(id: batch.id)?.isFinished == false)

            try await registry.finishBatchAttempt(
                batchID: batch.id, index: 1, runID: 12, outcome: .failed(kind: .skillFailed, message: "no"),
                at: start + 3)
            let finished = try #require(try registry.batch(id: batch.id))
            #expect(finished.status == .done)
            #expect(finished.finishedAt == start + 3)
            #expect(finished.counts == BatchCounts(done: 1, failed: 1))

            // Written once: a second end of the same item changes nothing.
            #expect(try await registry.finishBatchAttempt(
                batchID: batch.id, index: 1, runID: 13, outcome: .succeeded(output: "{}"), at: start + 4) == nil)
            let items = try #require(try registry.batchItems(matching: BatchItemQuery(batchID: batch.id, status: .failed)))
            #expect(items.map(\.runID) == [12])
            #expect(items.first?.errorKind == .skillFailed)
        }
    }

    @Test("a retried item is pending again and not claimed before its backoff has passed")
    func retryBackoff() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 1))
            _ = try await registry.claimBatchItem(batchID: batch.id, at: start)
            let retryAt = start + 10
            let pending = try await registry.finishBatchAttempt(
                batchID: batch.id, index: 0, runID: 5, outcome: .retry(kind: .timeout, message: "slow", notBefore: retryAt),
                at: start)
            #expect(pending?.status == .pending)
            #expect(pending?.notBefore == retryAt)
            #expect(try await registry.claimBatchItem(batchID: batch.id, at: start + 5) == .notBefore(retryAt))
            let again = try #require(claimed(try await registry.claimBatchItem(batchID: batch.id, at: retryAt)))
            #expect(again.attempts == 2)
            #expect(again.errorKind == .timeout)
        }
    }

    @Test("cancel ends pending items at once and running ones as they end; a retry in a cancelled batch is a cancel")
    func cancel() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let batch = try registry.createBatch(newBatch(items: 3))
            _ = try await registry.claimBatchItem(batchID: batch.id, at: start)
            let cancelled = try #require(try registry.cancelBatch(id: batch.id, at: start + 1))
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.counts == BatchCounts(running: 1, cancelled: 2))
            #expect(cancelled.finishedAt == nil)
            #expect(try await registry.claimBatchItem(batchID: batch.id, at: start + 1) == .nothingPending)

            let item = try await registry.finishBatchAttempt(
                batchID: batch.id, index: 0, runID: 1,
                outcome: .retry(kind: .crashed, message: "SIGSEGV", notBefore: start + 9), at: start + 2)
            #expect(item?.status == .cancelled)
            let final = try #require(try registry.batch(id: batch.id))
            #expect(final.status == .cancelled)
            #expect(final.finishedAt == start + 2)
            #expect(try registry.cancelBatch(id: batch.id, at: start + 5) == final)
            #expect(try registry.cancelBatch(id: batch.id + 1, at: start) == nil)
        }
    }

    @Test("after a restart, running items of a running batch are pending again with their attempts kept")
    func resume() async throws {
        try await withTemporaryDirectory { directory in
            let batchID: Int64
            let cancelledID: Int64
            do {
                let registry = try Registry(dataDirectory: directory)
                batchID = try registry.createBatch(newBatch(items: 2)).id
                _ = try await registry.claimBatchItem(batchID: batchID, at: start)
                cancelledID = try registry.createBatch(newBatch(items: 1)).id
                _ = try await registry.claimBatchItem(batchID: cancelledID, at: start)
                _ = try registry.cancelBatch(id: cancelledID, at: start)
            }
            let reopened = try Registry(dataDirectory: directory)
            #expect(try reopened.resumeUnfinishedBatches(at: start + 60) == [batchID])
            let items = try #require(try reopened.batchItems(matching: BatchItemQuery(batchID: batchID)))
            #expect(items.map(\.status) == [.pending, .pending])
            #expect(items.map(\.attempts) == [1, 0])
            let cancelled = try #require(try reopened.batch(id: cancelledID))
            #expect(cancelled.counts == BatchCounts(cancelled: 1))
            #expect(cancelled.finishedAt == start + 60)
        }
    }

    @Test("runs carry their batch and item; other runs carry none")
    func runLink() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            var run = newRun(of: "echo")
            run.trigger = "batch"
            run.batchID = 4
            run.batchItem = 17
            let created = try registry.createRun(run)
            #expect(created.batchID == 4)
            #expect(created.batchItem == 17)
            #expect(try registry.run(id: created.id) == created)
            let plain = try registry.createRun(newRun(of: "echo"))
            #expect(try registry.run(id: plain.id)?.batchID == nil)
        }
    }

    @Test("a registry at schema 3 migrates to 4, keeping its runs")
    func migrationFromVersion3() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory + "/registry.sqlite3"
            do {
                let queue = try DatabaseQueue(path: path)
                try DatabaseMigrator(migrations: Array(RegistrySchema.migrator.migrations.prefix(3))).migrate(queue)
                try queue.write { (database) throws(DatabaseError) in
                    try database.execute("""
                        INSERT INTO runs (skill_name, skill_version, skill_sha256, input, status, trigger, created_at)
                        VALUES ('old', '1.0.0', ?, '{}', 'queued', 'rpc', 0)
                        """, [String(repeating: "c", count: 64)])
                }
            }
            let registry = try Registry(dataDirectory: directory)
            let old = try #require(try registry.run(id: 1))
            #expect(old.skillName == "old")
            #expect(old.batchID == nil)
            #expect(old.batchItem == nil)
            #expect(try registry.createBatch(newBatch(items: 1)).id == 1)
        }
    }
}

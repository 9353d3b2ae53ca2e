import Foundation
@testable import Registry
import SkillhostModel
import Testing

@Suite("Registry: group commit of run records, and the skill lookup cache")
struct RegistryGroupCommitTests {
    /// Keeps the group commit busy with a write of its own until `body` returns, so that the
    /// writes `body` submits wait together, and are then made in one transaction, in order.
    private func whileGroupCommitBusy<Value>(_ registry: Registry, _ body: () async throws -> Value) async throws -> Value {
        let release = DispatchSemaphore(value: 0)
        let blocker = Task {
            try await withCheckedThrowingContinuation { (entered: CheckedContinuation<Void, any Error>) in
                Task {
                    try await registry.groupCommit.write { _ in
                        entered.resume()
                        release.wait()
                    }
                }
            }
        }
        try await blocker.value
        defer { release.signal() }
        return try await body()
    }

    /// Waits until `count` writes are waiting for the group commit.
    private func waiting(_ count: Int, in registry: Registry) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while registry.groupCommit.waitingCount != count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
        try #require(registry.groupCommit.waitingCount == count)
    }

    @Test("runs recorded concurrently by group commit are all stored, each with its own id and end")
    func concurrentRecords() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let finished = try await withThrowingTaskGroup(of: RunRecord.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let run = try await registry.recordRun(newRun(of: "skill-\(index % 3)", status: .running))
                        let completion = RunCompletion(
                            status: .succeeded, output: #"{"index":\#(index)}"#, finishedAt: Date(),
                            duration: .microseconds(index), logs: [RunLogLine(level: .info, message: "run \(index)")])
                        return try await registry.recordRunEnd(id: run.id, with: completion)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(finished.map(\.id)).count == 200)
            #expect(finished.allSatisfy { $0.status == .succeeded })
            let stored = try registry.runs(matching: RunQuery(limit: 1000))
            #expect(stored.count == 200)
            #expect(Set(stored.map(\.id)) == Set(finished.map(\.id)))
            for run in finished {
                #expect(try registry.run(id: run.id) == run)
                #expect(try registry.logs(runID: run.id)?.count == 1)
            }
            #expect(try registry.runCounts() == (total: 200, unfinished: 0))
        }
    }

    @Test("a record that fails is rolled back alone: the others of its batch commit")
    func failureIsIsolated() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let done = try registry.createRun(newRun(of: "hello", status: .running))
            _ = try registry.finishRun(id: done.id, with: RunCompletion(status: .succeeded, finishedAt: Date()))
            let open = try registry.createRun(newRun(of: "hello", status: .running))

            // Submitted while the group commit is busy, so that they share a transaction.
            let (late, missing, finalState, refused, created) = try await whileGroupCommitBusy(registry) {
            let late = Task {
                try await registry.recordRunEnd(id: done.id, with: RunCompletion(
                    status: .failed, errorKind: .skillFailed, errorMessage: "late", finishedAt: Date(),
                    logs: [RunLogLine(level: .error, message: "must not be stored")]))
            }
            let missing = Task {
                try await registry.recordRunEnd(id: 9_999, with: RunCompletion(status: .succeeded, finishedAt: Date()))
            }
            let finalState = Task {
                try await registry.recordRunEnd(id: open.id, with: RunCompletion(status: .succeeded, finishedAt: Date()))
            }
            let refused = Task { try await registry.recordRun(newRun(of: "hello", status: .succeeded)) }
            let created = Task { try await registry.recordRun(newRun(of: "hello", status: .queued)) }
            try await waiting(5, in: registry)
            return (late, missing, finalState, refused, created)
            }

            let lateError = await #expect(throws: RegistryError.self) { try await late.value }
            guard case .runAlreadyFinished(done.id, .succeeded)? = lateError else {
                Issue.record("a second end of run \(done.id) was not refused as already finished: \(String(describing: lateError))")
                return
            }
            let missingError = await #expect(throws: RegistryError.self) { try await missing.value }
            guard case .runNotFound(9_999)? = missingError else {
                Issue.record("the end of a run that does not exist was not refused as not found: \(String(describing: missingError))")
                return
            }
            await #expect(throws: RegistryError.self) { try await refused.value }
            #expect(try await finalState.value.status == .succeeded)
            let queued = try await created.value
            #expect(try registry.run(id: queued.id) == queued)
            #expect(try registry.logs(runID: done.id) == [], "the refused end added no log line")
            #expect(try registry.run(id: done.id)?.status == .succeeded)
        }
    }

    @Test("a write that ends the transaction fails its whole batch, and nothing of the batch is kept")
    func lostTransactionFailsTheBatch() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            try registry.database.write { (connection) throws(DatabaseError) in
                try connection.execute("CREATE TABLE t (n INTEGER)")
            }
            let commit = registry.groupCommit
            let insert = { @Sendable (value: Int64) in
                Task { try await commit.write { (connection) throws(RegistryError) in
                    try mapped(connection.execute("INSERT INTO t VALUES (?)", [value]))
                } }
            }
            // As SQLite does itself after a full disk or an I/O error: the transaction is
            // rolled back in the middle of the batch.
            let alone = insert(1)
            try await alone.value
            let (before, ending, after) = try await whileGroupCommitBusy(registry) {
                let before = insert(2)
                try await waiting(1, in: registry)
                let ending = Task { try await commit.write { (connection) throws(RegistryError) in
                    try mapped(connection.execute("ROLLBACK"))
                } }
                try await waiting(2, in: registry)
                let after = insert(4)
                try await waiting(3, in: registry)
                return (before, ending, after)
            }
            await #expect(throws: RegistryError.self) { try await before.value }
            await #expect(throws: RegistryError.self) { try await ending.value }
            await #expect(throws: RegistryError.self) { try await after.value }
            let stored = try registry.database.read { (connection) throws(DatabaseError) in
                try connection.fetchAll("SELECT n FROM t ORDER BY n") { $0.int64(at: 0) }
            }
            #expect(stored == [1], "only the write committed alone is kept")
        }
    }

    @Test("a cancelled caller's record is still written")
    func cancellationIgnored() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let run = try registry.createRun(newRun(of: "hello", status: .running))
            let task = Task {
                try await registry.recordRunEnd(id: run.id, with: RunCompletion(status: .cancelled, finishedAt: Date()))
            }
            task.cancel()
            #expect(try await task.value.status == .cancelled)
            #expect(try registry.run(id: run.id)?.status == .cancelled)
        }
    }

    @Test("skill lookups answered from memory follow every change made through the registry")
    func lookupCacheFollowsChanges() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            #expect(try registry.skill(named: "hello", version: nil) == nil)
            let one = try storedSkill(registry, in: directory, name: "hello", version: "1.0.0", bytes: [1])
            _ = try registry.install(one, force: false)
            #expect(try registry.skill(named: "hello", version: nil) == one, "an install replaces a cached absence")
            #expect(try registry.skill(named: "hello", version: nil) == one)

            let two = try storedSkill(registry, in: directory, name: "hello", version: "2.0.0", bytes: [2])
            _ = try registry.install(two, force: false)
            #expect(try registry.skill(named: "hello", version: nil) == two)

            let moved = try registry.updateIsolation(name: "hello", version: "2.0.0", to: .inprocess)
            #expect(try registry.skill(named: "hello", version: nil)?.isolation == .inprocess)
            #expect(try registry.skill(named: "hello", version: "2.0.0") == moved.first)

            _ = try registry.updateMemoryLimit(name: "hello", version: nil, to: 128 << 20)
            #expect(try registry.skill(named: "hello", version: "1.0.0")?.memoryLimitBytes == 128 << 20)

            _ = try registry.removeSkills(named: "hello", version: "2.0.0")
            #expect(try registry.skill(named: "hello", version: nil)?.version == "1.0.0")
            #expect(try registry.skill(named: "hello", version: "2.0.0") == nil)
        }
    }
}

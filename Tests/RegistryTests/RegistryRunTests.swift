import Foundation
@testable import Registry
import SkillhostModel
import Synchronization
import Testing

@Suite("Registry: runs")
struct RegistryRunTests {
    @Test("a run goes from queued to running to a final state, written once")
    func lifecycle() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let created = try registry.createRun(newRun(of: "hello"))
            #expect(created.status == .queued)
            #expect(try registry.run(id: created.id) == created)

            let started = Date(timeIntervalSince1970: 1_700_000_101.5)
            try registry.markRunning(id: created.id, at: started)
            try registry.markRunning(id: created.id, at: Date(timeIntervalSince1970: 1_700_000_999))
            #expect(try registry.run(id: created.id)?.startedAt == started)

            let completion = RunCompletion(
                status: .succeeded, output: #"{"greeting":"hi"}"#,
                usage: RunUsage(promptTokens: 12, completionTokens: 34),
                finishedAt: Date(timeIntervalSince1970: 1_700_000_102.007), duration: .microseconds(507_123))
            let finished = try registry.finishRun(id: created.id, with: completion)
            var expected = created
            expected.status = .succeeded
            expected.output = completion.output
            expected.startedAt = started
            expected.finishedAt = completion.finishedAt
            expected.duration = .microseconds(507_123)
            expected.usage = completion.usage
            #expect(finished == expected)
            #expect(try registry.run(id: created.id) == expected)

            let failure = RunCompletion(status: .failed, errorKind: .skillFailed, errorMessage: "late",
                                        finishedAt: Date())
            #expect {
                try registry.finishRun(id: created.id, with: failure)
            } throws: { error in
                guard case .runAlreadyFinished(created.id, .succeeded)? = error as? RegistryError else { return false }
                return "\(error)" == "run \(created.id) already finished as succeeded; a final state is never changed"
            }
            #expect(throws: RegistryError.self) { try registry.markRunning(id: created.id, at: Date()) }
            #expect(try registry.run(id: created.id) == expected)
        }
    }

    @Test("a run's log lines are stored with its final state, in order, once")
    func logs() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let run = try registry.createRun(newRun(of: "hello"))
            #expect(try registry.logs(runID: run.id) == [])
            let lines = (0..<25).map { RunLogLine(level: $0 % 2 == 0 ? .info : .stderr, message: "line \($0)") }
            _ = try registry.finishRun(id: run.id, with: RunCompletion(status: .succeeded, finishedAt: Date(), logs: lines))
            #expect(try registry.logs(runID: run.id) == lines)

            let late = RunCompletion(status: .failed, finishedAt: Date(), logs: [RunLogLine(level: .error, message: "late")])
            #expect(throws: RegistryError.self) { try registry.finishRun(id: run.id, with: late) }
            #expect(try registry.logs(runID: run.id) == lines, "a refused finish adds no lines")
            #expect(try Registry(dataDirectory: directory).logs(runID: run.id) == lines, "the lines are on disk")
            #expect(try registry.logs(runID: 404) == nil)
        }
    }

    @Test("runs that do not exist, and statuses that do not fit, are refused")
    func invalidTransitions() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let done = RunCompletion(status: .succeeded, finishedAt: Date())
            #expect {
                try registry.finishRun(id: 404, with: done)
            } throws: { error in
                guard case .runNotFound(404)? = error as? RegistryError else { return false }
                return true
            }
            #expect(throws: RegistryError.self) { try registry.markRunning(id: 404, at: Date()) }
            #expect(try registry.run(id: 404) == nil)
            #expect(throws: RegistryError.self) { try registry.createRun(newRun(of: "hello", status: .failed)) }
            let run = try registry.createRun(newRun(of: "hello", status: .running))
            #expect(run.startedAt != nil)
            #expect(throws: RegistryError.self) {
                try registry.finishRun(id: run.id, with: RunCompletion(status: .queued, finishedAt: Date()))
            }
            #expect(try registry.run(id: run.id)?.status == .running)
        }
    }

    @Test("dates round-trip to the millisecond")
    func dates() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let now = Date()
            var run = newRun(of: "hello")
            run.createdAt = now
            let stored = try #require(try registry.run(id: registry.createRun(run).id))
            #expect(abs(stored.createdAt.timeIntervalSince(now)) < 0.001)
        }
    }

    @Test("listing filters by skill and status, newest first, in pages")
    func listing() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            var ids: [String: [Int64]] = [:]
            for index in 0..<30 {
                let skill = index % 3 == 0 ? "alpha" : "beta"
                let run = try registry.createRun(newRun(of: skill, at: 1_700_000_000 + Double(index)))
                if index % 2 == 0 {
                    _ = try registry.finishRun(id: run.id, with: RunCompletion(status: .succeeded, finishedAt: Date()))
                }
                ids[skill, default: []].append(run.id)
            }
            let all = try registry.runs(matching: RunQuery())
            #expect(all.count == 30)
            #expect(all.map(\.id) == all.map(\.id).sorted(by: >))

            let alpha = try registry.runs(matching: RunQuery(skillName: "alpha"))
            #expect(alpha.map(\.id) == ids["alpha"]!.reversed())

            let betaQueued = try registry.runs(matching: RunQuery(skillName: "beta", status: .queued))
            #expect(betaQueued.count == 10)
            #expect(betaQueued.allSatisfy { $0.skillName == "beta" && $0.status == .queued })

            var pages: [[Int64]] = []
            var query = RunQuery(limit: 7)
            while true {
                let page = try registry.runs(matching: query)
                if page.isEmpty { break }
                pages.append(page.map(\.id))
                query.before = page.last?.id
            }
            #expect(pages.map(\.count) == [7, 7, 7, 7, 2])
            #expect(pages.flatMap { $0 } == all.map(\.id))
            #expect(try registry.runs(matching: RunQuery(limit: 0)).isEmpty)
            #expect(try registry.runs(matching: RunQuery(status: .succeeded, limit: 100)).count == 15)

            let plan = try queryPlan(registry, "SELECT id FROM runs WHERE skill_name = 'x' ORDER BY id DESC LIMIT 5")
            #expect(plan.contains("runs_by_skill"), "plan: \(plan)")
            let statusPlan = try queryPlan(registry, "SELECT id FROM runs WHERE status = 'queued' ORDER BY id DESC")
            #expect(statusPlan.contains("runs_by_status"), "plan: \(statusPlan)")
        }
    }

    @Test("the runs of each of the last minutes are counted from those runs alone, not every run")
    func runsPerMinute() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let end = 1_700_003_600.0
            try registry.database.write { (connection) throws(RegistryError) in
                for index in 0..<2_000 {
                    _ = try RunTable.insert(newRun(of: "old", at: end - 7_200 + Double(index)), in: connection)
                }
                // 3 runs 59.5 minutes ago, none the next minutes, 1 at 30.2, 4 in the last minute.
                for secondsAgo in [3_570.0, 3_569, 3_568, 1_812, 50, 20, 1, 0.001] {
                    _ = try RunTable.insert(newRun(of: "hello", at: end - secondsAgo), in: connection)
                }
                _ = try RunTable.insert(newRun(of: "later", at: end + 1), in: connection)
            }
            let end60 = Date(timeIntervalSince1970: end)
            let counts = try registry.runsPerMinute(minutes: 60, endingAt: end60)
            var expected = [Int](repeating: 0, count: 60)
            expected[0] = 3
            expected[29] = 1
            expected[59] = 4
            #expect(counts == expected)
            #expect(try registry.runsPerMinute(minutes: 1, endingAt: end60) == [4])
            #expect(try registry.runsPerMinute(minutes: 3, endingAt: Date(timeIntervalSince1970: 10)) == [0, 0, 0])

            let steps = { () throws(DatabaseError) -> Int in
                try registry.database.withConnection { (connection) throws(DatabaseError) -> Int in connection.virtualMachineSteps }
            }
            let before = try steps()
            _ = try registry.runsPerMinute(minutes: 60, endingAt: end60)
            let used = try steps() - before
            #expect(used < 500, "counting 9 runs of the hour among 2,009 ran \(used) SQLite steps")
        }
    }

    @Test("counting the runs reads the status index, not every run")
    func countsUseTheIndex() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            try registry.database.write { (connection) throws(RegistryError) in
                for index in 0..<2_000 {
                    _ = try RunTable.insert(newRun(of: "hello", status: index % 100 == 0 ? .running : .queued), in: connection)
                }
            }
            // Warm the statement cache, so that the count below is the counting's alone.
            #expect(try registry.runCounts() == (total: 2_000, unfinished: 2_000))
            let steps = { () throws(DatabaseError) -> Int in
                try registry.database.withConnection { (connection) throws(DatabaseError) -> Int in connection.virtualMachineSteps }
            }
            try registry.database.write { (connection) throws(DatabaseError) in
                try connection.execute("UPDATE runs SET status = 'succeeded', finished_at = 1 WHERE id % 100 <> 0")
            }
            let before = try steps()
            #expect(try registry.runCounts() == (total: 2_000, unfinished: 20))
            let used = try steps() - before
            // Reading every row took about 5 steps a run (10,000 here).
            #expect(used < 1_000, "counting ran \(used) SQLite steps")
        }
    }

    @Test("unfinished runs are interrupted at start, finished ones are left alone")
    func interrupt() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let queued = try registry.createRun(newRun(of: "hello"))
            let running = try registry.createRun(newRun(of: "hello", status: .running))
            let done = try registry.createRun(newRun(of: "hello"))
            let finished = try registry.finishRun(id: done.id, with: RunCompletion(status: .timeout, finishedAt: Date()))
            #expect(try registry.runCounts() == (total: 3, unfinished: 2))

            let at = Date(timeIntervalSince1970: 1_700_001_000)
            let interrupted = try registry.interruptUnfinishedRuns(at: at, message: "skillhostd stopped")
            #expect(interrupted == [queued.id, running.id])
            for id in interrupted {
                let run = try #require(try registry.run(id: id))
                #expect(run.status == .interrupted)
                #expect(run.errorKind == .interrupted)
                #expect(run.errorMessage == "skillhostd stopped")
                #expect(run.finishedAt == at)
            }
            #expect(try registry.run(id: done.id) == finished)
            #expect(try registry.runCounts() == (total: 3, unfinished: 0))
            #expect(try registry.interruptUnfinishedRuns(at: at, message: "again").isEmpty)
        }
    }

    @Test("runs survive reopening the registry")
    func persistence() async throws {
        try await withTemporaryDirectory { directory in
            let run: RunRecord
            do {
                let registry = try Registry(dataDirectory: directory)
                let created = try registry.createRun(newRun(of: "hello"))
                run = try registry.finishRun(id: created.id, with: RunCompletion(
                    status: .crashed, errorKind: .crashed, errorMessage: "SIGSEGV",
                    finishedAt: Date(timeIntervalSince1970: 1_700_000_200), duration: .seconds(2)))
            }
            let reopened = try Registry(dataDirectory: directory)
            #expect(try reopened.run(id: run.id) == run)
            #expect(try reopened.runCounts() == (total: 1, unfinished: 0))
            let next = try reopened.createRun(newRun(of: "hello"))
            #expect(next.id > run.id)
        }
    }

    @Test("concurrent writers from many threads all land")
    func concurrentWriters() async throws {
        try await withTemporaryDirectory { directory in
            let registry = try Registry(dataDirectory: directory)
            let threads = 8
            let runsPerThread = 200
            // Threads of their own, not tasks: the registry's calls block, and eight writers
            // on the cooperative pool (two threads on two cores) would starve every other test.
            let outcomes = await withCheckedContinuation { (continuation: CheckedContinuation<[Result<[Int64], any Error>], Never>) in
                let finished = Mutex((results: [Result<[Int64], any Error>](), continuation: Optional(continuation)))
                for thread in 0..<threads {
                    Thread.detachNewThread {
                        let result = Result { () throws -> [Int64] in
                            var ids: [Int64] = []
                            for index in 0..<runsPerThread {
                                let run = try registry.createRun(newRun(of: "task-\(thread)"))
                                if index % 2 == 0 {
                                    _ = try registry.finishRun(
                                        id: run.id, with: RunCompletion(status: .succeeded, finishedAt: Date()))
                                }
                                ids.append(run.id)
                            }
                            return ids
                        }
                        let done = finished.withLock { finished in
                            finished.results.append(result)
                            return finished.results.count == threads
                                ? (finished.continuation.take(), finished.results) : (nil, [])
                        }
                        done.0?.resume(returning: done.1)
                    }
                }
            }
            let all = try outcomes.flatMap { try $0.get() }
            #expect(Set(all).count == threads * runsPerThread)
            #expect(try registry.runCounts() == (total: threads * runsPerThread, unfinished: threads * runsPerThread / 2))
            for thread in 0..<threads {
                let runs = try registry.runs(matching: RunQuery(skillName: "task-\(thread)", limit: 1_000))
                #expect(runs.count == runsPerThread)
            }
        }
    }

    private func queryPlan(_ registry: Registry, _ sql: String) throws -> String {
        try DatabaseQueue(path: registry.databasePath).withConnection { (database) throws(DatabaseError) in
            try database.fetchAll("EXPLAIN QUERY PLAN \(sql)") { $0.text(at: 3) }.joined(separator: "; ")
        }
    }
}

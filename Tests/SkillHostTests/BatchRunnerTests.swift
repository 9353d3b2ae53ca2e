import Foundation
import InferenceDriver
import JSONRPC
import Logging
@testable import ProcessIsolation
import Registry
@testable import SkillDaemon
@testable import SkillRuntime
import Synchronization
import TestSupport
import Testing

/// An inference service that fails its first `failures` requests with a connection error,
/// then answers with the prompt reversed: a failure that passes on a retry.
private final class FlakyInference: InferenceService {
    private let remainingFailures: Mutex<Int>

    init(failures: Int) {
        remainingFailures = Mutex(failures)
    }

    func complete(_ request: CompletionRequest, onChunk: (@Sendable (String) -> Void)?) async throws(InferenceError) -> Completion {
        let fail = remainingFailures.withLock { remaining in
            defer { remaining -= 1 }
            return remaining > 0
        }
        if fail { throw .connectionFailed(endpoint: "http://flaky", reason: "refused on purpose") }
        return Completion(text: String(request.promptText.reversed()), finishReason: "stop", model: "flaky",
                          usage: TokenUsage(promptTokens: request.promptText.count, completionTokens: 1))
    }
}

/// A registry in a temporary directory, a real run service with both runners, and a batch
/// runner with a fast retry policy.
private struct BatchFixture {
    let directory: TemporaryDirectory
    let registry: Registry
    let runs: RunService
    let batches: BatchRunner

    init(inference: any InferenceService = FlakyInference(failures: 0)) throws {
        directory = try TemporaryDirectory(prefix: "batch")
        registry = try Registry(dataDirectory: directory.path("data"))
        let runner = IsolatingRunner(process: ProcessRunner(inference: inference), inProcess: InProcessRunner(inference: inference))
        runs = RunService(registry: registry, runner: runner, configuration: LiveConfiguration(DaemonConfiguration(environment: [:])),
                          logger: Logger(level: .error))
        batches = BatchRunner(registry: registry, runs: runs,
                              policy: BatchRetryPolicy(baseDelay: .milliseconds(5), maximumDelay: .milliseconds(20)),
                              logger: Logger(level: .error))
    }

    /// Installs the fixture skill `name` to run in-process, and returns its record.
    @discardableResult
    func install(_ name: String) async throws -> SkillRecord {
        let stored = try registry.storeSkillFile(contentsOf: try await FixtureSkills.path(for: name))
        let skill = SkillRecord(name: name, version: "1.0.0", sha256: stored.sha256, size: stored.size, description: name,
                                abiMajor: 1, abiMinor: 0, isolation: .inprocess, installedAt: Date())
        _ = try registry.install(skill, force: false)
        return skill
    }

    /// Records a batch of `inputs` for `skill` and runs it to its end.
    func run(_ skill: SkillRecord, _ inputs: [String], parallelism: Int = 1, retries: Int = 2,
             timeoutMilliseconds: Int64? = nil) async throws -> BatchRecord {
        let batch = try registry.createBatch(NewBatch(
            skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256, parallelism: parallelism,
            maximumRetries: retries, timeoutMilliseconds: timeoutMilliseconds, createdAt: Date(), inputs: inputs))
        batches.start(batch)
        await batches.waitForIdle(id: batch.id)
        return try #require(try registry.batch(id: batch.id))
    }

    func items(_ batch: BatchRecord) throws -> [BatchItemRecord] {
        try #require(try registry.batchItems(matching: BatchItemQuery(batchID: batch.id)))
    }
}

@Suite("Batch runner")
struct BatchRunnerTests {
    @Test("every item runs once, in parallel, and its output is kept in item order")
    func echoBatch() async throws {
        let fixture = try BatchFixture()
        let echo = try await fixture.install("echo")
        let inputs = (0..<12).map { #"{"n":\#($0)}"# }
        let batch = try await fixture.run(echo, inputs, parallelism: 4)
        #expect(batch.status == .done)
        #expect(batch.counts == BatchCounts(done: 12))
        #expect(batch.finishedAt != nil)
        let items = try fixture.items(batch)
        #expect(items.map(\.output) == inputs)
        #expect(items.allSatisfy { $0.attempts == 1 })
        let runID = try #require(items[5].runID)
        let run = try #require(try fixture.registry.run(id: runID))
        #expect(run.trigger == "batch")
        #expect(run.batchID == batch.id)
        #expect(run.batchItem == 5)
    }

    @Test("a skill's own failure is not retried")
    func skillFailureIsFinal() async throws {
        let fixture = try BatchFixture()
        let batch = try await fixture.run(try fixture.install("failing"), ["{}", "{}"], retries: 3)
        #expect(batch.status == .done)
        #expect(batch.counts == BatchCounts(failed: 2))
        let items = try fixture.items(batch)
        #expect(items.map(\.attempts) == [1, 1])
        #expect(items.map(\.errorKind) == [.skillFailed, .skillFailed])
    }

    @Test("a timeout is retried up to the retries allowed, then the item fails")
    func timeoutsAreRetried() async throws {
        let fixture = try BatchFixture()
        let batch = try await fixture.run(try fixture.install("sleeps"), ["2000"], retries: 2, timeoutMilliseconds: 30)
        #expect(batch.counts == BatchCounts(failed: 1))
        let item = try #require(try fixture.items(batch).first)
        #expect(item.attempts == 3)
        #expect(item.errorKind == .timeout)
        let runs = try fixture.registry.runs(matching: RunQuery(skillName: "sleeps"))
        #expect(runs.count == 3)
        #expect(runs.allSatisfy { $0.status == .timeout && $0.batchItem == 0 })
    }

    @Test("an inference failure that passes on a retry ends the item done, with no error left")
    func retryThenSuccess() async throws {
        let fixture = try BatchFixture(inference: FlakyInference(failures: 1))
        let batch = try await fixture.run(try fixture.install("complete_twice"), [#""abc""#], retries: 2)
        #expect(batch.counts == BatchCounts(done: 1))
        let item = try #require(try fixture.items(batch).first)
        #expect(item.attempts == 2)
        #expect(item.errorKind == nil)
        #expect(item.output == #""cba""#)
        let runs = try fixture.registry.runs(matching: RunQuery(skillName: "complete_twice"))
        #expect(runs.map(\.status) == [.succeeded, .failed])
        #expect(runs.last?.errorKind == .inferenceFailed)
    }

    @Test("cancel stops new items, cancels running ones, and ends every item as cancelled")
    func cancel() async throws {
        let fixture = try BatchFixture()
        let sleeps = try await fixture.install("sleeps")
        let batch = try fixture.registry.createBatch(NewBatch(
            skillName: "sleeps", skillVersion: "1.0.0", skillSHA256: sleeps.sha256, parallelism: 2, maximumRetries: 2,
            createdAt: Date(), inputs: Array(repeating: "5000", count: 6)))
        fixture.batches.start(batch)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while try fixture.registry.batch(id: batch.id)?.counts.running != 2, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let cancelled = try #require(try fixture.batches.cancel(id: batch.id))
        #expect(cancelled.status == .cancelled)
        await fixture.batches.waitForIdle(id: batch.id)
        let final = try #require(try fixture.registry.batch(id: batch.id))
        #expect(final.counts == BatchCounts(cancelled: 6))
        #expect(final.finishedAt != nil)
        let runs = try fixture.registry.runs(matching: RunQuery(skillName: "sleeps"))
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0.status == .cancelled })
    }

    @Test("a batch left running resumes: its interrupted item is retried and every item ends once")
    func resume() async throws {
        let fixture = try BatchFixture()
        let echo = try await fixture.install("echo")
        let batch = try fixture.registry.createBatch(NewBatch(
            skillName: "echo", skillVersion: "1.0.0", skillSHA256: echo.sha256, parallelism: 1, maximumRetries: 0,
            createdAt: Date(), inputs: ["1", "2", "3"]))
        // As a daemon that died would leave it: item 0 claimed, its run still running.
        _ = try await fixture.registry.claimBatchItem(batchID: batch.id, at: Date())
        _ = try fixture.registry.createRun(NewRun(
            skillName: "echo", skillVersion: "1.0.0", skillSHA256: echo.sha256, input: "1", trigger: "batch",
            status: .running, createdAt: Date(), startedAt: Date(), batchID: batch.id, batchItem: 0))
        _ = try fixture.registry.interruptUnfinishedRuns(at: Date(), message: "skillhostd stopped")

        #expect(try fixture.batches.resumeUnfinishedBatches() == [batch.id])
        await fixture.batches.waitForIdle(id: batch.id)
        let final = try #require(try fixture.registry.batch(id: batch.id))
        #expect(final.counts == BatchCounts(done: 3))
        let items = try fixture.items(batch)
        #expect(items.map(\.attempts) == [2, 1, 1])
        #expect(items.map(\.output) == ["1", "2", "3"])
        let attempts = try fixture.registry.runs(matching: RunQuery(skillName: "echo")).filter { $0.batchItem == 0 }
        #expect(attempts.map(\.status) == [.succeeded, .interrupted])
    }

    @Test("the backoff doubles from the base delay, up to the maximum, with jitter of at most half")
    func backoff() {
        let policy = BatchRetryPolicy(baseDelay: .milliseconds(100), maximumDelay: .milliseconds(350))
        for _ in 0..<20 {
            #expect((Duration.milliseconds(50)...Duration.milliseconds(100)).contains(policy.delay(afterAttempt: 1)))
            #expect((Duration.milliseconds(100)...Duration.milliseconds(200)).contains(policy.delay(afterAttempt: 2)))
            #expect((Duration.milliseconds(175)...Duration.milliseconds(350)).contains(policy.delay(afterAttempt: 9)))
        }
        #expect(policy.isRetryable(.crashed))
        #expect(!policy.isRetryable(.invalidInput))
    }
}

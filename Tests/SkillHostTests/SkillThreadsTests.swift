import Foundation
import Glibc
@testable import SkillRuntime
import Synchronization
import TestSupport
import Testing

@Suite("Threads of in-process skills", .timeLimit(.minutes(1)))
struct SkillThreadsTests {
    /// Runs `body` on `threads` and returns the id of the thread it ran on, once it returned.
    private static func threadRunning(on threads: SkillThreads, then afterRun: SkillThreads.AfterRun = .park,
                                      _ body: @escaping @Sendable () -> Void = {}) async -> pthread_t {
        await withCheckedContinuation { continuation in
            threads.run {
                body()
                continuation.resume(returning: pthread_self())
                return afterRun
            }
        }
    }

    @Test("a thread whose run returned takes the next run")
    func threadsAreReused() async throws {
        let threads = SkillThreads(stackSize: 8 << 20)
        let first = await Self.threadRunning(on: threads)
        await eventually(within: .seconds(5)) { threads.parkedCount == 1 }
        let second = await Self.threadRunning(on: threads)
        #expect(pthread_equal(first, second) != 0, "the parked thread ran the second body")
    }

    @Test("runs in flight at once each get a thread of their own")
    func concurrentRunsGetTheirOwnThreads() async throws {
        let threads = SkillThreads(stackSize: 1 << 20)
        let started = StartedCount()
        let ids = await withTaskGroup(of: pthread_t.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    await Self.threadRunning(on: threads) {
                        // Held (on the skill thread) until all four run: none can be waiting
                        // behind another.
                        started.value.add(1, ordering: .relaxed)
                        let deadline = ContinuousClock.now + .seconds(5)
                        while started.value.load(ordering: .relaxed) < 4, ContinuousClock.now < deadline {
                            usleep(1_000)
                        }
                    }
                }
            }
            return await group.reduce(into: [pthread_t]()) { $0.append($1) }
        }
        #expect(started.value.load(ordering: .relaxed) == 4)
        #expect(Set(ids.map(UInt.init)).count == 4)
        await eventually(within: .seconds(5)) { threads.parkedCount == 4 }
        #expect(threads.parkedCount == 4 && threads.threadCount == 4)
    }

    @Test("a thread whose run says it must retire exits instead of parking")
    func retiringThreadsExit() async throws {
        let threads = SkillThreads(stackSize: 1 << 20)
        _ = await Self.threadRunning(on: threads, then: .retire)
        await eventually(within: .seconds(5)) { threads.threadCount == 0 }
        #expect(threads.threadCount == 0 && threads.parkedCount == 0)
    }

    @Test("a thread parked for the idle timeout exits")
    func idleThreadsExit() async throws {
        let threads = SkillThreads(stackSize: 1 << 20, idleTimeout: .milliseconds(100))
        // Counted from its start, so the count cannot reach 0 before the thread has exited.
        _ = await Self.threadRunning(on: threads)
        await eventually(within: .seconds(5)) { threads.threadCount == 0 }
        #expect(threads.threadCount == 0 && threads.parkedCount == 0)
        // A run after that gets a new thread (were the exited one still listed, the run
        // would be handed to it and never run), which exits in turn.
        _ = await Self.threadRunning(on: threads)
        await eventually(within: .seconds(5)) { threads.threadCount == 0 }
        #expect(threads.threadCount == 0 && threads.parkedCount == 0)
    }
}

/// The number of bodies that started, shared by them and the test.
private final class StartedCount: Sendable {
    let value = Atomic<Int>(0)
}

import Foundation
import Scheduling
import Synchronization
import Testing

@Suite struct ManualSchedulerClockTests {
    let start = instant("2026-01-01T00:00:00Z")

    @Test func sleepEndsOnlyWhenTimeReachesTheDeadline() async throws {
        let clock = ManualSchedulerClock(now: start)
        let woke = Recorder<Bool>()
        try await withThrowingTaskGroup { group in
            group.addTask {
                try await clock.sleep(until: start.addingTimeInterval(60))
                woke.append(true)
            }
            await clock.waitForSleepers(atLeast: 1)
            clock.advance(by: 59)
            #expect(clock.sleeperCount == 1)
            #expect(clock.nextDeadline == start.addingTimeInterval(60))
            #expect(woke.values.isEmpty)
            clock.advance(by: 1)
            try await group.waitForAll()
            #expect(woke.values == [true])
            #expect(clock.sleeperCount == 0)
            #expect(clock.now == start.addingTimeInterval(60))
        }
    }

    @Test func sleepUntilThePastReturnsAtOnce() async throws {
        let clock = ManualSchedulerClock(now: start)
        try await clock.sleep(until: start)
        try await clock.sleep(until: start.addingTimeInterval(-3600))
        #expect(clock.sleeperCount == 0)
    }

    @Test func advanceWakesOnlyTheSleepersWhoseTimeHasCome() async throws {
        let clock = ManualSchedulerClock(now: start)
        let woken = Recorder<Int>()
        try await withThrowingTaskGroup { group in
            for minutes in [10, 20, 30] {
                group.addTask {
                    try await clock.sleep(until: start.addingTimeInterval(TimeInterval(minutes * 60)))
                    woken.append(minutes)
                }
            }
            await clock.waitForSleepers(atLeast: 3)
            clock.advance(to: start.addingTimeInterval(20 * 60))
            try await group.next()
            try await group.next()
            #expect(woken.values.sorted() == [10, 20])
            #expect(clock.sleeperCount == 1)
            #expect(clock.nextDeadline == start.addingTimeInterval(30 * 60))
            clock.advance(by: 3600)
            try await group.waitForAll()
            #expect(woken.values.sorted() == [10, 20, 30])
        }
    }

    @Test func cancellingASleeperThrowsAndForgetsIt() async throws {
        let clock = ManualSchedulerClock(now: start)
        let sleeper = Task { try await clock.sleep(until: start.addingTimeInterval(3600)) }
        await clock.waitForSleepers(atLeast: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func aTaskCancelledBeforeItSleepsDoesNotSleep() async throws {
        let clock = ManualSchedulerClock(now: start)
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await clock.sleep(until: start.addingTimeInterval(3600))
        }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func waitingForSleepersEndsWhenCancelled() async {
        let clock = ManualSchedulerClock(now: start)
        let waiter = Task { await clock.waitForSleepers(atLeast: 1) }
        waiter.cancel()
        await waiter.value
        #expect(clock.sleeperCount == 0)
    }
}

/// Values appended by concurrent tasks, read by the test.
private final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func append(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    var values: [Value] { storage.withLock { $0 } }
}

@Suite struct SystemSchedulerClockTests {
    @Test func sleepsUntilTheWallClockDeadline() async throws {
        let clock = SystemSchedulerClock(maximumSlice: .milliseconds(20))
        let deadline = clock.now.addingTimeInterval(0.1)
        try await clock.sleep(until: deadline)
        #expect(clock.now >= deadline)
        // Returns, and not much later; under a loaded 2-core machine the Swift pool can be
        // seconds late, so the bound only catches a sleep that overshoots by far.
        #expect(clock.now.timeIntervalSince(deadline) < 30)
    }

    @Test func sleepUntilThePastReturnsAtOnce() async throws {
        let clock = SystemSchedulerClock()
        let elapsed = try await ContinuousClock().measure {
            try await clock.sleep(until: clock.now.addingTimeInterval(-10))
        }
        #expect(elapsed < .seconds(10))
    }

    @Test func cancellationEndsASleep() async throws {
        let clock = SystemSchedulerClock()
        let sleeper = Task { try await clock.sleep(until: clock.now.addingTimeInterval(3600)) }
        try await Task.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}

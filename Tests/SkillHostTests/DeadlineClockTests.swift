import Foundation
@testable import SkillRuntime
import Synchronization
import TestSupport
import Testing

@Suite("Deadline timers", .timeLimit(.minutes(1)))
struct DeadlineClockTests {
    /// Records the order in which handlers fired.
    private final class Firings: Sendable {
        let names = Mutex<[String]>([])
        func record(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    /// Something a handler captures, to see when it is released.
    private final class Captured: Sendable {}

    @Test("timers fire in deadline order, an earlier one armed later included, and not before their time")
    func firesInOrder() async throws {
        let clock = DeadlineClock()
        let firings = Firings()
        let started = ContinuousClock.now
        let late = DeadlineTimer(after: .milliseconds(300), clock: clock) { firings.record("300 ms") }
        let early = DeadlineTimer(after: .milliseconds(100), clock: clock) { firings.record("100 ms") }
        await eventually(within: .seconds(5)) { firings.all.count == 2 }
        #expect(firings.all == ["100 ms", "300 ms"])
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        #expect(clock.armedCount == 0)
        withExtendedLifetime((late, early)) {}
    }

    @Test("a cancelled timer never fires, and its handler is released at once")
    func cancelReleases() async throws {
        let clock = DeadlineClock()
        let firings = Firings()
        weak var weakCaptured: Captured?
        var timer: DeadlineTimer?
        do {
            let captured = Captured()
            weakCaptured = captured
            timer = DeadlineTimer(after: .milliseconds(100), clock: clock) { _ = captured; firings.record("cancelled") }
        }
        #expect(weakCaptured != nil)
        timer?.cancel()
        #expect(weakCaptured == nil, "the handler and what it captured were released by cancel")
        _ = DeadlineTimer(after: .milliseconds(100), clock: clock) { firings.record("dropped") }
        let kept = DeadlineTimer(after: .milliseconds(150), clock: clock) { firings.record("kept") }
        await eventually(within: .seconds(5)) { firings.all.count == 1 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(firings.all == ["kept"], "dropping the last reference cancels too")
        withExtendedLifetime(kept) {}
        timer = nil
    }

    @Test("many cancelled timers leave the live ones armed and firing")
    func cancelledEntriesAreCompacted() async throws {
        let clock = DeadlineClock()
        let firings = Firings()
        var timers = (0..<300).map { index in
            DeadlineTimer(after: .seconds(60), clock: clock) { firings.record("long \(index)") }
        }
        timers.removeFirst(250)
        #expect(clock.armedCount == 50)
        let short = DeadlineTimer(after: .milliseconds(50), clock: clock) { firings.record("short") }
        await eventually(within: .seconds(5)) { firings.all == ["short"] }
        #expect(firings.all == ["short"])
        #expect(clock.armedCount == 50)
        withExtendedLifetime((timers, short)) {}
    }
}

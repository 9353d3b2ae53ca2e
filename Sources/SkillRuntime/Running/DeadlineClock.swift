import Dispatch
import Foundation
import Synchronization

/// The thread that fires every ``DeadlineTimer``: timers wait in a binary heap by deadline,
/// the thread sleeps until the earliest, and a timer armed earlier than that wakes it.
/// Handlers run on a global Dispatch queue, never on this thread, so a slow one delays no
/// other deadline.
///
/// Cancelling removes the handler at once; its 16-byte heap entry is dropped when it reaches
/// the top, or when cancelled entries outnumber live ones and the heap is rebuilt, so memory
/// stays within twice the timers armed.
package final class DeadlineClock: Sendable {
    /// The clock of the daemon's timers.
    package static let shared = DeadlineClock()

    private struct Entry {
        /// `DispatchTime.uptimeNanoseconds` of the deadline.
        var deadline: UInt64
        var id: UInt64
    }

    private struct State {
        /// A min-heap of deadlines, cancelled ones included.
        var heap: [Entry] = []
        /// The handlers of the timers still armed.
        var handlers: [UInt64: @Sendable () -> Void] = [:]
        var nextID: UInt64 = 0
        var threadStarted = false
    }

    private let state = Mutex(State())
    /// Wakes the thread when a timer earlier than the one it sleeps for is armed.
    private let wake = DispatchSemaphore(value: 0)

    /// Arms `handler` to run once `delay` has passed; returns the timer's id.
    func schedule(after delay: Duration, _ handler: @escaping @Sendable () -> Void) -> UInt64 {
        let deadline = (DispatchTime.now() + delay.dispatchInterval).uptimeNanoseconds
        let (id, isEarliest, startThread) = state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.handlers[id] = handler
            let isEarliest = state.heap.first.map { deadline < $0.deadline } ?? true
            Self.push(Entry(deadline: deadline, id: id), onto: &state.heap)
            let startThread = !state.threadStarted
            state.threadStarted = true
            return (id, isEarliest, startThread)
        }
        if startThread {
            let thread = Thread { [self] in run() }
            thread.name = "skillhost.deadlines"
            thread.start()
        } else if isEarliest {
            wake.signal()
        }
        return id
    }

    /// Disarms timer `id`, releasing its handler; nothing happens if it fired already.
    func cancel(_ id: UInt64) {
        // The handler is returned to be released here, outside the lock: what it captured
        // may take locks of its own as it goes.
        _ = state.withLock { state -> (@Sendable () -> Void)? in
            let handler = state.handlers.removeValue(forKey: id)
            if handler != nil, state.heap.count > 64, state.heap.count > 2 * state.handlers.count {
                let live = state.heap.filter { state.handlers[$0.id] != nil }
                state.heap = []
                for entry in live { Self.push(entry, onto: &state.heap) }
            }
            return handler
        }
    }

    /// Timers armed and not yet fired or cancelled (for tests).
    var armedCount: Int {
        state.withLock { $0.handlers.count }
    }

    /// The thread's body: fires what is due, then sleeps until the next deadline.
    private func run() {
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            let (due, next) = state.withLock { state -> ([@Sendable () -> Void], UInt64?) in
                var due: [@Sendable () -> Void] = []
                while let first = state.heap.first, first.deadline <= now {
                    Self.popFirst(of: &state.heap)
                    if let handler = state.handlers.removeValue(forKey: first.id) { due.append(handler) }
                }
                return (due, state.heap.first?.deadline)
            }
            for handler in due {
                DispatchQueue.global().async(execute: handler)
            }
            if let next {
                _ = wake.wait(timeout: DispatchTime(uptimeNanoseconds: next))
            } else {
                wake.wait()
            }
        }
    }

    private static func push(_ entry: Entry, onto heap: inout [Entry]) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popFirst(of heap: inout [Entry]) {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

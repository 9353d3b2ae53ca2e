import Foundation
import Glibc
import Synchronization
import SystemCalls
import Testing

/// How many times the test's signal handler ran.
private let signalsHandled = Atomic<Int>(0)

@Suite("Retrying on EINTR", .serialized)
struct InterruptTests {
    /// Installs a handler for SIGUSR2 that does nothing, without SA_RESTART, so a blocking call
    /// on the thread the signal is delivered to fails with EINTR; returns the previous action.
    private static func installInterruptingHandler() -> sigaction {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in signalsHandled.add(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        sigaction(SIGUSR2, &action, &previous)
        return previous
    }

    /// A thread of its own that accepts SIGUSR2 (whatever mask the test runner's threads
    /// inherit), which the test can signal at any time, even after the thread ended.
    private final class SignallableThread: Sendable {
        /// The thread's pthread id while it runs; nil before and once it is about to end.
        /// Signalling holds the lock, and the thread clears the id under it before it ends,
        /// so `pthread_kill` never reaches a thread that is gone (whose id glibc may reuse,
        /// or whose memory it may have freed: a crash).
        private let identity = Mutex<pthread_t?>(nil)
        private let started = Atomic<Bool>(false)

        /// Starts `body` and returns once it runs.
        init(_ body: @escaping @Sendable () -> Void) async {
            Thread { [self] in
                var accepted = sigset_t()
                sigemptyset(&accepted)
                sigaddset(&accepted, SIGUSR2)
                pthread_sigmask(SIG_UNBLOCK, &accepted, nil)
                identity.withLock { $0 = pthread_self() }
                started.store(true, ordering: .releasing)
                body()
                identity.withLock { $0 = nil }
            }.start()
            _ = await eventually { started.load(ordering: .acquiring) }
        }

        /// Sends SIGUSR2 to the thread, unless it has ended.
        func interrupt() {
            identity.withLock { thread in
                if let thread { pthread_kill(thread, SIGUSR2) }
            }
        }
    }

    @Test("a read interrupted by a signal fails with EINTR when called raw")
    func rawReadIsInterrupted() async throws {
        var previous = Self.installInterruptingHandler()
        defer { sigaction(SIGUSR2, &previous, nil) }
        let pipe = try PipeEnds()
        let readEnd = pipe.readEnd
        let outcome = Mutex<Errno?>(nil)
        let reader = await SignallableThread { [readEnd = consume readEnd] in
            var byte: UInt8 = 0
            let count = Glibc.read(readEnd.rawValue, &byte, 1)
            let code = Errno.current
            outcome.withLock { $0 = count == -1 ? code : Errno(rawValue: 0) }
        }
        #expect(await eventually {
            reader.interrupt()
            return outcome.withLock { $0 != nil }
        })
        #expect(outcome.withLock { $0 } == .interrupted)
    }

    @Test("retryingOnInterrupt calls read again after EINTR, until the data comes")
    func retriedRead() async throws {
        var previous = Self.installInterruptingHandler()
        defer { sigaction(SIGUSR2, &previous, nil) }
        let handledBefore = signalsHandled.load(ordering: .relaxed)
        let pipe = try PipeEnds()
        let readEnd = pipe.readEnd
        let writeEnd = pipe.writeEnd
        let attempts = Atomic<Int>(0)
        let received = Mutex<Result<UInt8, SystemCallError>?>(nil)
        let reader = await SignallableThread { [readEnd = consume readEnd] in
            var byte: UInt8 = 0
            let result = Result { () throws(SystemCallError) -> UInt8 in
                try retryingOnInterrupt("read") {
                    attempts.add(1, ordering: .relaxed)
                    return Glibc.read(readEnd.rawValue, &byte, 1)
                }
                return byte
            }
            received.withLock { $0 = result }
        }
        // Interrupt the blocked read until it has been called again at least twice.
        #expect(await eventually {
            reader.interrupt()
            return attempts.load(ordering: .relaxed) >= 3
        })
        #expect(signalsHandled.load(ordering: .relaxed) - handledBefore >= 2)
        #expect(received.withLock { $0 } == nil)

        try writeEnd.writeAll([42])
        #expect(await eventually { received.withLock { $0 != nil } })
        #expect(try received.withLock { $0 }?.get() == 42)
    }
}

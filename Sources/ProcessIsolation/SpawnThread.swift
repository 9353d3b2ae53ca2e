import Foundation
import Synchronization

/// The one long-lived thread that starts worker processes.
///
/// A worker asks for `PR_SET_PDEATHSIG`, which the kernel delivers when the *thread* that
/// started it exits, not the process. Dispatch and the Swift pool end idle threads, so a
/// worker started from one of them would be killed for nothing a few seconds later; this
/// thread lives as long as the daemon.
final class SpawnThread: Sendable {
    /// The daemon's spawn thread, started on first use.
    static let shared = SpawnThread()

    private let requests = Mutex<[@Sendable () -> Void]>([])
    private let pending = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "skillhost worker spawner"
        thread.stackSize = 512 << 10
        thread.start()
    }

    /// Runs `body` on the spawn thread and returns its result.
    func run<Value: Sendable>(_ body: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            requests.withLock { $0.append { continuation.resume(returning: body()) } }
            pending.signal()
        }
    }

    private func serve() {
        while true {
            pending.wait()
            let next = requests.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            next?()
        }
    }
}

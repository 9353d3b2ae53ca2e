import Foundation
import Synchronization

/// What a load of concurrent clients achieved.
struct LoadResult: Sendable {
    /// Calls answered successfully.
    var completed: Int
    /// Wall-clock seconds from the common start to the last client's end.
    var seconds: Double
    /// The latency of every call, in nanoseconds.
    var latencies: LatencySummary?

    /// Calls per second.
    var rate: Double { seconds > 0 ? Double(completed) / seconds : 0 }
}

/// Drives a socket with `clients` connections at once, each on a thread of its own making
/// one blocking call after another (a closed loop: a client sends its next request when the
/// previous one is answered), and times every call.
enum LoadGenerator {
    /// How long each client runs: a number of calls, or a span of time.
    enum Stop: Sendable {
        case calls(Int)
        case seconds(Double)
    }

    /// Sends `request` over `clients` connections to `socketPath` until `stop`.
    ///
    /// - Parameter expectSuccess: Check that every answer is a JSON-RPC success (off for the
    ///   echo floor, whose answer is the request itself).
    /// - Throws: the first failure of any client (connect, I/O, an error answer).
    static func run(socketPath: String, request: [UInt8], clients: Int, stop: Stop,
                    expectSuccess: Bool = true) throws(BenchError) -> LoadResult {
        let outcome = Mutex<(completed: Int, samples: [UInt64], failure: BenchError?)>((0, [], nil))
        let ready = DispatchGroup()
        let finished = DispatchGroup()
        let go = DispatchSemaphore(value: 0)
        let begin = Atomic<UInt64>(0)

        for _ in 0..<clients {
            ready.enter()
            finished.enter()
            let thread = Thread {
                var samples: [UInt64] = []
                samples.reserveCapacity(4096)
                var failure: BenchError?
                // Each client connects on its own thread, which alone uses it.
                let client: LineClient?
                do throws(BenchError) {
                    client = try LineClient(socketPath: socketPath)
                } catch {
                    client = nil
                    failure = error
                }
                ready.leave()
                go.wait()
                let start = begin.load(ordering: .acquiring)
                var remaining = Int.max
                var deadline = UInt64.max
                switch stop {
                case .calls(let count): remaining = count
                case .seconds(let seconds): deadline = start + UInt64(seconds * 1e9)
                }
                while let client, failure == nil, remaining > 0 {
                    let sent = MonotonicClock.now()
                    guard sent < deadline else { break }
                    do throws(BenchError) {
                        let answer = try client.roundTrip(request)
                        samples.append(MonotonicClock.now() - sent)
                        if expectSuccess, !answer.starts(with: RPCRequestLine.successPrefix) {
                            failure = BenchError("a call failed: \(String(decoding: answer.prefix(600), as: UTF8.self))")
                            break
                        }
                    } catch {
                        failure = error
                        break
                    }
                    remaining -= 1
                }
                outcome.withLock { outcome in
                    outcome.completed += samples.count
                    outcome.samples += samples
                    if outcome.failure == nil { outcome.failure = failure }
                }
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        ready.wait()
        let start = MonotonicClock.now()
        begin.store(start, ordering: .releasing)
        for _ in 0..<clients { go.signal() }
        finished.wait()
        let seconds = MonotonicClock.seconds(since: start)
        let (completed, samples, failure) = outcome.withLock { ($0.completed, $0.samples, $0.failure) }
        if let failure { throw failure }
        return LoadResult(completed: completed, seconds: seconds, latencies: LatencySummary(nanoseconds: samples))
    }
}

import Foundation
import Glibc
import Registry
import Synchronization

extension BenchSession {
    /// Figure 2, the registry alone: what recording a run costs with no socket, server or
    /// runner around it: resolve the skill, record the run as `running`, record its end.
    /// Blocking calls from 1 and 2 threads (as `RunService` makes them today, from the
    /// daemon's two-thread concurrency pool), and the group-commit calls from 8 and 64
    /// concurrent tasks (``Registry/recordRun(_:)``).
    func measureRegistryAlone() throws(BenchError) {
        let directory = options.workDirectory + "/registry-alone"
        let registry: Registry
        let skill: SkillRecord
        do {
            registry = try Registry(dataDirectory: directory)
            let stored = try registry.storeSkillFile(contentsOf: options.noopInProcess)
            skill = SkillRecord(name: Self.inProcessNoop, version: "1.0.0", sha256: stored.sha256, size: stored.size,
                                description: "noop", abiMajor: 1, abiMinor: 0, isolation: .inprocess, installedAt: Date())
            _ = try registry.install(skill, force: true)
        } catch {
            throw BenchError("cannot set up a registry in \(directory): \(error)")
        }
        let configurations: [(callers: Int, groupCommit: Bool)] = [(1, false), (2, false), (8, true), (64, true)]
        for (callers, groupCommit) in configurations {
            let runs = plan.sequentialCalls / callers * callers
            let processorBefore = ProcFiles.processorSeconds(of: getpid(), includingChildren: false)
            let started = MonotonicClock.now()
            let samples = try groupCommit
                ? Self.recordConcurrently(runs: runs, tasks: callers, skill: skill, in: registry)
                : Self.recordBlocking(runs: runs, threads: callers, skill: skill, in: registry)
            let seconds = MonotonicClock.seconds(since: started)
            let processorAfter = ProcFiles.processorSeconds(of: getpid(), includingChildren: false)
            let summary = LatencySummary(nanoseconds: samples)
            let how = groupCommit ? "group commit, \(callers) tasks" : "blocking calls, \(callers) thread\(callers == 1 ? "" : "s")"
            report.add(BenchRow(figure: 2, key: "registry.\(groupCommit ? "group" : "blocking").\(callers)",
                                label: "registry alone: resolve + record start + record end, \(how)",
                                value: Double(samples.count) / seconds, unit: "runs/s",
                                p50: summary.map { $0.p50 / 1e3 }, p99: summary.map { $0.p99 / 1e3 },
                                serverCPU: processorBefore.flatMap { before in
                                    processorAfter.map { ($0 - before) * 1e6 / Double(max(samples.count, 1)) }
                                }))
        }
    }

    /// Records `runs` runs with the blocking calls, from `threads` threads; the time of each.
    private static func recordBlocking(runs: Int, threads: Int, skill: SkillRecord, in registry: Registry)
        throws(BenchError) -> [UInt64]
    {
        let outcome = Mutex<(samples: [UInt64], failure: String?)>(([], nil))
        let done = DispatchGroup()
        for _ in 0..<threads {
            done.enter()
            Thread {
                var samples: [UInt64] = []
                samples.reserveCapacity(runs / threads)
                do {
                    for _ in 0..<(runs / threads) {
                        let begin = MonotonicClock.now()
                        let resolved = try registry.skill(named: skill.name, version: nil) ?? skill
                        let run = try registry.createRun(newRun(of: resolved))
                        _ = try registry.finishRun(id: run.id, with: completion())
                        samples.append(MonotonicClock.now() - begin)
                    }
                } catch {
                    outcome.withLock { $0.failure = "\(error)" }
                }
                outcome.withLock { $0.samples += samples }
                done.leave()
            }.start()
        }
        done.wait()
        let (samples, failure) = outcome.withLock { ($0.samples, $0.failure) }
        if let failure { throw BenchError("recording runs in \(registry.dataDirectory) failed: \(failure)") }
        return samples
    }

    /// Records `runs` runs with the group-commit calls, from `tasks` concurrent tasks; the
    /// time of each.
    private static func recordConcurrently(runs: Int, tasks: Int, skill: SkillRecord, in registry: Registry)
        throws(BenchError) -> [UInt64]
    {
        let outcome = Mutex<Result<[UInt64], BenchError>>(.success([]))
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                let samples = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                    for _ in 0..<tasks {
                        group.addTask {
                            var samples: [UInt64] = []
                            for _ in 0..<(runs / tasks) {
                                let begin = MonotonicClock.now()
                                let resolved = try registry.skill(named: skill.name, version: nil) ?? skill
                                let run = try await registry.recordRun(newRun(of: resolved))
                                _ = try await registry.recordRunEnd(id: run.id, with: completion())
                                samples.append(MonotonicClock.now() - begin)
                            }
                            return samples
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                outcome.withLock { $0 = .success(samples) }
            } catch {
                outcome.withLock { $0 = .failure(BenchError("recording runs in \(registry.dataDirectory) failed: \(error)")) }
            }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0 }.get()
    }

    /// A running noop run of `skill`, as `RunService` records it.
    private static func newRun(of skill: SkillRecord) -> NewRun {
        let now = Date()
        return NewRun(skillName: skill.name, skillVersion: skill.version, skillSHA256: skill.sha256, input: "{}",
                      trigger: "rpc", callerUID: 0, status: .running, createdAt: now, startedAt: now)
    }

    /// The end of a successful noop run.
    private static func completion() -> RunCompletion {
        RunCompletion(status: .succeeded, output: "{}", finishedAt: Date(), duration: .microseconds(5))
    }
}

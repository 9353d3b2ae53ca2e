import Foundation
import Glibc
import Registry
import Synchronization

extension BenchSession {
    /// Figure 2, the registry alone: what the daemon's registry calls for one run cost with
    /// no socket, server or runner around them: resolve the skill, record the run as
    /// `running`, record its end (``Registry`` as `RunService` calls it), from 1 and 2
    /// threads (the daemon's cooperative pool has one thread per core).
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
        for threads in [1, 2] {
            let runsPerThread = plan.sequentialCalls / threads
            let outcome = Mutex<(samples: [UInt64], failure: String?)>(([], nil))
            let done = DispatchGroup()
            let processorBefore = ProcFiles.processorSeconds(of: getpid(), includingChildren: false)
            let started = MonotonicClock.now()
            for _ in 0..<threads {
                done.enter()
                Thread {
                    var samples: [UInt64] = []
                    samples.reserveCapacity(runsPerThread)
                    do {
                        for _ in 0..<runsPerThread {
                            let begin = MonotonicClock.now()
                            try Self.recordOneRun(skill: skill, in: registry)
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
            let seconds = MonotonicClock.seconds(since: started)
            let processorAfter = ProcFiles.processorSeconds(of: getpid(), includingChildren: false)
            let (samples, failure) = outcome.withLock { ($0.samples, $0.failure) }
            if let failure { throw BenchError("recording runs in \(directory) failed: \(failure)") }
            let summary = LatencySummary(nanoseconds: samples)
            report.add(BenchRow(figure: 2, key: "registry.alone.\(threads)",
                                label: "registry alone: resolve + create + finish per run, \(threads) thread\(threads == 1 ? "" : "s")",
                                value: Double(samples.count) / seconds, unit: "runs/s",
                                p50: summary.map { $0.p50 / 1e3 }, p99: summary.map { $0.p99 / 1e3 },
                                serverCPU: processorBefore.flatMap { before in
                                    processorAfter.map { ($0 - before) * 1e6 / Double(max(samples.count, 1)) }
                                }))
        }
    }

    /// The registry calls `RunService` makes for one successful run of `skill`.
    private static func recordOneRun(skill: SkillRecord, in registry: Registry) throws(RegistryError) {
        let resolved = try registry.skill(named: skill.name, version: nil) ?? skill
        let now = Date()
        let run = try registry.createRun(NewRun(
            skillName: resolved.name, skillVersion: resolved.version, skillSHA256: resolved.sha256, input: "{}",
            trigger: "rpc", callerUID: 0, status: .running, createdAt: now, startedAt: now))
        _ = try registry.finishRun(id: run.id, with: RunCompletion(
            status: .succeeded, output: "{}", finishedAt: Date(), duration: .microseconds(5)))
    }
}

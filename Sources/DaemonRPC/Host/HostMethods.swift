import Foundation
import InferenceDriver
import Registry
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol

/// `host.status` (docs/PROTOCOL.md): the daemon at a glance.
struct HostMethods: Sendable {
    let registry: Registry
    let runs: RunService
    let runner: IsolatingRunner
    let inference: InferenceRouter
    let configuration: DaemonConfiguration
    /// The sandbox of workers, as probed at start-up.
    let sandbox: SandboxStatus
    /// When the daemon began serving, for `uptime_ms`.
    let startedAt = ContinuousClock.now

    /// Registers the handler of `host.status`.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(HostStatusRequest.self) { _, _ in try status() }
    }

    private func status() throws(ServiceError) -> HostStatus {
        let skillCount: Int
        let runCounts: (total: Int, unfinished: Int)
        do {
            skillCount = try registry.skills().count
            runCounts = try registry.runCounts()
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
        return HostStatus(
            version: SkillhostRelease.version, abi: "\(SkillLoader.abiMajor).\(SkillLoader.abiMinor)", pid: Int64(getpid()),
            uptimeMilliseconds: (ContinuousClock.now - startedAt).milliseconds, socket: configuration.socketPath,
            dataDirectory: configuration.dataDirectory, skills: Int64(skillCount),
            runs: HostStatus.RunCounts(total: Int64(runCounts.total), running: Int64(runs.activeRuns)),
            inference: InferenceEncoding.status(of: inference),
            stuckSkillThreads: runner.inProcess.stuckThreads.map {
                HostStatus.StuckSkillThread(skill: $0.owner?.skill, runID: $0.owner?.runID, since: $0.since.iso8601,
                                            threadID: $0.threadID.map(Int64.init), priorityLowered: $0.priorityLowered)
            },
            sandbox: sandbox)
    }
}

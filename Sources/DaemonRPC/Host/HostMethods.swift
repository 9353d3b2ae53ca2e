import Foundation
import InferenceDriver
import Metrics
import Registry
import SkillDaemon
import SkillRuntime
import SkillhostModel
import SkillhostProtocol

/// `host.status` and `host.metrics` (docs/PROTOCOL.md): the daemon at a glance, and its
/// metrics as Prometheus reads them.
struct HostMethods: Sendable {
    let registry: Registry
    let runs: RunService
    let runner: IsolatingRunner
    let inference: InferenceRouter
    let configuration: LiveConfiguration
    /// The sandbox of workers, as probed at start-up.
    let sandbox: SandboxStatus
    /// The last reload, and what waits for a restart.
    let reloads: ReloadRecord
    /// The daemon's metrics.
    let metrics: DaemonMetrics
    /// When the daemon began serving, for `uptime_ms`.
    let startedAt = ContinuousClock.now

    /// Registers the handlers of `host.status` and `host.metrics`.
    func register(in handlers: inout RequestHandlers) {
        handlers.register(HostStatusRequest.self) { _, _ in try status() }
        handlers.register(HostMetricsRequest.self) { [metrics] _, _ in
            HostMetrics(contentType: PrometheusTextFormat.contentType, text: metrics.registry.render())
        }
    }

    private func status() throws(ServiceError) -> HostStatus {
        let skills: [SkillRecord]
        let runCounts: (total: Int, unfinished: Int)
        do {
            skills = try registry.skills()
            runCounts = try registry.runCounts()
        } catch {
            throw .internal("cannot read the registry: \(error)")
        }
        let settings = configuration.current
        return HostStatus(
            version: SkillhostRelease.version, abi: "\(SkillLoader.abiMajor).\(SkillLoader.abiMinor)", pid: Int64(getpid()),
            uptimeMilliseconds: (ContinuousClock.now - startedAt).milliseconds, socket: settings.socketPath,
            dataDirectory: settings.dataDirectory, skills: Int64(skills.count),
            runs: HostStatus.RunCounts(total: Int64(runCounts.total), running: Int64(runs.activeRuns)),
            inference: InferenceEncoding.status(of: inference),
            stuckSkillThreads: runner.inProcess.stuckThreads.map {
                HostStatus.StuckSkillThread(skill: $0.owner?.skill, runID: $0.owner?.runID, since: $0.since.iso8601,
                                            threadID: $0.threadID.map(Int64.init), priorityLowered: $0.priorityLowered)
            },
            sandbox: sandbox, settings: settings.settingValues, reload: reloads.last.map { Self.status(of: $0) },
            restartNeeded: reloads.restartNeeded.map { Self.status(of: $0) },
            skillActivity: skills.map { skill in
                HostStatus.SkillActivity(
                    skill: skill.name, version: skill.version, state: skill.state.rawValue,
                    counters: RecordEncoding.counters(runs.activity.counters(SkillActivity.Key(skill))))
            })
    }

    /// A reload as `host.status` shows it.
    private static func status(of outcome: ReloadOutcome) -> HostStatus.ReloadStatus {
        switch outcome.result {
        case let .applied(changes):
            HostStatus.ReloadStatus(at: outcome.finishedAt.iso8601, outcome: "applied", file: outcome.file, error: nil,
                                    changes: changes.map { status(of: $0) })
        case let .refused(reason):
            HostStatus.ReloadStatus(at: outcome.finishedAt.iso8601, outcome: "refused", file: outcome.file, error: reason,
                                    changes: [])
        }
    }

    /// A change as `host.status` shows it.
    private static func status(of change: ConfigurationChange) -> HostStatus.SettingChange {
        HostStatus.SettingChange(setting: change.setting, old: change.old, new: change.new)
    }
}

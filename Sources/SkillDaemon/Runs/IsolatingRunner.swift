import ProcessIsolation
import Registry
import SkillRuntime

/// The daemon's two runners and the choice between them: each run goes to the runner of
/// its skill's isolation mode, read from the registry at the time of the run, so changing
/// a skill's isolation takes effect at its next run.
public struct IsolatingRunner: Sendable {
    /// Runs skills in worker processes.
    public let process: ProcessRunner
    /// Runs skills on threads of the daemon.
    public let inProcess: InProcessRunner

    /// Creates the pair.
    public init(process: ProcessRunner, inProcess: InProcessRunner) {
        self.process = process
        self.inProcess = inProcess
    }

    /// The runner for `mode`.
    public func runner(for mode: IsolationMode) -> any SkillRunner {
        switch mode {
        case .process: process
        case .inprocess: inProcess
        }
    }

    /// Runs `invocation` of `skill`, whose file is at `path`, as its isolation says (in a
    /// worker: under the skill's own memory limit, or the daemon's default).
    public func run(_ skill: SkillRecord, path: String, invocation: Invocation) async -> InvocationReport {
        switch skill.isolation {
        case .process:
            await process.run(skillPath: path, sha256: skill.sha256,
                              memoryLimitBytes: skill.memoryLimitBytes.map { Int($0) }, grants: skill.grants,
                              invocation: invocation)
        case .inprocess:
            await inProcess.run(skillPath: path, sha256: skill.sha256, invocation: invocation)
        }
    }

    /// Starts the workers of `skill`, whose file is at `path`, in the background when it runs
    /// in a worker, so that its first run does not pay for a spawn; does nothing otherwise.
    public func prewarm(_ skill: SkillRecord, path: String) {
        guard skill.isolation == .process else { return }
        process.prewarm(skillPath: path, sha256: skill.sha256, memoryLimitBytes: skill.memoryLimitBytes.map { Int($0) },
                        grants: skill.grants)
    }

    /// Drops what both runners keep for the skill file with this hash.
    public func evict(sha256: String) {
        process.evict(sha256: sha256)
        inProcess.evict(sha256: sha256)
    }
}

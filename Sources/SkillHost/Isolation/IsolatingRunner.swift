import Registry

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

    /// Runs `invocation` of `skill`, whose file is at `path`, as its isolation says.
    public func run(_ skill: SkillRecord, path: String, invocation: Invocation) async -> InvocationReport {
        await runner(for: skill.isolation).run(skillPath: path, sha256: skill.sha256, invocation: invocation)
    }

    /// Drops what both runners keep for the skill file with this hash.
    public func evict(sha256: String) {
        process.evict(sha256: sha256)
        inProcess.evict(sha256: sha256)
    }
}

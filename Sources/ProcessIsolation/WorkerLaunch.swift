import Glibc
import SkillhostModel
import WorkerProtocol

/// Everything a new worker process is started with.
struct WorkerLaunch: Sendable {
    /// The executable started as `EXECUTABLE --worker ...`.
    var executable: String
    /// Its `RLIMIT_AS` in bytes; 0: none.
    var memoryLimitBytes: Int
    /// The skill file it will load or inspect; nil: a worker that only reports its sandbox.
    var skillPath: String?
    /// Its sandbox; nil: none (`sandbox` off).
    var sandbox: WorkerSandboxOptions?
    /// The uid and gid it runs as outside its user namespace.
    var identity: WorkerSandboxSettings.Identity

    /// The file name of pid 1 of a worker's PID namespace, next to the worker executable.
    static let initFileName = "skillhost-worker-init"

    /// `skillhost-worker-init` next to the worker executable, if it is there.
    var initExecutable: String? {
        guard let slash = executable.lastIndex(of: "/") else { return nil }
        let path = executable[..<slash] + "/" + Self.initFileName
        return access(path, X_OK) == 0 ? path : nil
    }

    /// The file `/proc/self/exe` links to: started by `skillhost-worker-init`, the worker
    /// must be named by a path that means the daemon's file in another process too.
    private static func resolved(_ executable: String) -> String {
        guard executable == "/proc/self/exe" else { return executable }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        let length = readlink(executable, &buffer, buffer.count - 1)
        guard length > 0 else { return executable }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The launch of a worker for the skill file at `skillPath` with `grants`, as `settings`
    /// say, with `memoryLimitBytes` of its own.
    init(settings: ProcessIsolationSettings, memoryLimitBytes: Int, skillPath: String?, grants: SkillGrants,
         identity: WorkerSandboxSettings.Identity)
    {
        executable = Self.resolved(settings.workerExecutable)
        self.memoryLimitBytes = memoryLimitBytes
        self.skillPath = skillPath
        self.identity = identity
        sandbox = settings.sandbox.options(for: grants, identity: identity)
        sandbox?.skillDescriptor = skillPath != nil
    }
}

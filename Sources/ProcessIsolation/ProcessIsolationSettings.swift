/// How process isolation runs skills: the worker executable, the pool, and the limits of
/// each worker.
public struct ProcessIsolationSettings: Sendable, Equatable {
    /// The executable started as `EXECUTABLE --worker ...`: the daemon itself by default.
    /// Tests pass the path of `skillhostd`, because there `/proc/self/exe` is the test runner.
    public var workerExecutable = "/proc/self/exe"
    /// Idle, loaded workers kept ready per skill once it has run (`worker_pool_size`).
    public var poolSize = 1
    /// How long a worker may stay idle before it is asked to shut down (`worker_idle_timeout_ms`).
    public var idleTimeout: Duration = .milliseconds(300_000)
    /// The most workers of one skill at a time, busy or idle (`max_workers_per_skill`); runs
    /// beyond it wait for a worker, within their deadline.
    public var maximumWorkersPerSkill = 8
    /// Each worker's address-space limit (`RLIMIT_AS`) in bytes; 0: none (`memory_limit_bytes`).
    public var memoryLimitBytes = 2 << 30
    /// How long a worker started ahead of demand may take to load its skill before it is
    /// killed (a run's own worker is bounded by the run's deadline instead).
    public var backgroundLoadTimeout: Duration = .seconds(30)
    /// How long the worker that inspects a file at install may take to load it (its ELF
    /// constructors included) before it is killed and the install fails.
    public var inspectionTimeout: Duration = .seconds(10)
    /// The sandbox of every worker (docs/SECURITY.md).
    public var sandbox = WorkerSandboxSettings()

    /// The defaults.
    public init() {}
}

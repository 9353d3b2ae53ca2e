import SkillhostProtocol

/// `skillctl install PATH`: installs a skill library.
struct InstallCommand: DaemonRequestCommand, Equatable {
    static let path = Argument("PATH", kind: .file(extensions: ["so"]), help: "the skill library (.so)")
    static let force = Flag("--force", help: "replace an installed skill of the same name and version")
    static let sha256 = Option("--sha256", kind: .sha256, help: "refuse the file unless its SHA-256 is HEX")
    static let isolation = Option("--isolation", kind: .isolationMode, help: """
        where the skill runs: in a worker process (crashes and hangs stay contained), or on a thread of the \
        daemon (for trusted skills). Default: the daemon's default_isolation.
        """)
    static let memoryLimit = Option("--memory-limit", kind: .memoryLimit, help: """
        the address-space limit of its worker processes: 512M, 2G (binary units), none, or default (the \
        daemon's memory_limit_bytes)
        """)

    static let declaration = CommandDeclaration(
        name: "install",
        abstract: "installs a skill library (.so)",
        discussion: """
            Installs the skill library at PATH (a relative path is resolved against the current
            directory). The daemon must be able to read the file, and so must you.
            """,
        arguments: [path], options: [force, sha256, isolation, memoryLimit] + GrantOptions.all)

    /// The library, as typed.
    var path: String
    /// `--force`.
    var force: Bool
    /// `--sha256`, in lower case.
    var sha256: String?
    /// `--isolation`.
    var isolation: String?
    /// `--memory-limit`.
    var memoryLimit: MemoryLimitParameter?
    /// `--network`, `--read-only`, `--max-processes`, `--cpu-seconds`.
    var grants: GrantParameters

    init(_ arguments: ParsedArguments) throws(UsageError) {
        path = try arguments.required(Self.path)
        force = arguments.isSet(Self.force)
        sha256 = try arguments.value(Self.sha256)
        isolation = try arguments.value(Self.isolation)
        memoryLimit = try arguments.value(Self.memoryLimit)
        grants = try GrantOptions.parameters(arguments)
    }

    func request(in context: CommandContext) -> InstallSkillRequest {
        InstallSkillRequest(path: context.absolute(path), sha256: sha256, force: force ? true : nil, isolation: isolation,
                            memoryLimitBytes: memoryLimit, grants: grants)
    }

    func render(_ result: InstalledSkill) -> String {
        SkillOutput.renderInstall(result)
    }
}

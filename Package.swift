// swift-tools-version: 6.0
//
// skillhost: a daemon that hosts LLM skills compiled as native shared libraries.
// No Swift package dependencies: only the toolchain and Debian's C libraries
// (libsqlite3, libcrypto) through system-library targets.

import PackageDescription

let package = Package(
    name: "skillhost",
    products: [
        .executable(name: "skillhostd", targets: ["skillhostd"]),
        .executable(name: "skillctl", targets: ["skillctl"]),
        .executable(name: "skillbench", targets: ["skillbench"]),
        .library(name: "SkillABI", targets: ["SkillABI"]),
        // Example skills, built as real shared objects: lib<name>.so in the build folder.
        .library(name: "hello", type: .dynamic, targets: ["HelloSkill"]),
        .library(name: "complete", type: .dynamic, targets: ["CompleteSkill"]),
    ],
    targets: [
        // The C contract between the host and every skill.
        .target(name: "SkillABI", path: "Sources/SkillABI"),

        // Thin views of Debian's C libraries and of the few glibc calls Swift cannot see.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CSystemShims", path: "Sources/CSystemShims"),

        // Libraries, one concern each, from the bottom up. No module imports one listed after it.
        // The words every layer shares: versions, run statuses, error kinds, usage, log lines.
        .target(name: "SkillhostModel"),
        .target(name: "Scheduling"),
        .target(name: "JSONRPC", dependencies: ["CSystemShims"]),
        .target(name: "Registry", dependencies: ["SkillhostModel", "CSQLite", "CCrypto"]),
        .target(name: "InferenceDriver", dependencies: ["CSystemShims"]),
        // skillhostd's protocol, declared once: every method (params, result, error kinds),
        // every notification, the registry of them all, and where the socket is.
        .target(name: "SkillhostProtocol", dependencies: ["JSONRPC", "SkillhostModel"]),

        // Running a skill, on both sides of the process boundary: loading and ABI checks, the
        // CSI host table, the invocation and its outcome, deadlines, in-process execution.
        .target(name: "SkillRuntime", dependencies: ["SkillABI", "SkillhostModel", "InferenceDriver"]),
        // The messages between the daemon and a worker process, and the channel they travel on.
        .target(name: "WorkerProtocol", dependencies: ["SkillABI", "SkillRuntime", "InferenceDriver"]),
        // The worker process's side: `skillhostd --worker` loads one skill and serves its runs.
        .target(name: "SkillWorker", dependencies: ["SkillABI", "SkillRuntime", "WorkerProtocol", "CSystemShims"]),
        // The daemon's side of process isolation: spawning, pooling and running on workers.
        .target(name: "ProcessIsolation",
                dependencies: ["SkillABI", "SkillhostModel", "SkillRuntime", "WorkerProtocol", "InferenceDriver", "CSystemShims"]),

        // The daemon's domain: runs, batches, schedules, skills and the configuration.
        .target(name: "SkillDaemon",
                dependencies: ["SkillhostModel", "Registry", "InferenceDriver", "Scheduling", "SkillRuntime",
                               "ProcessIsolation", "JSONRPC", "SkillhostProtocol"]),
        // The daemon's JSON-RPC face over its domain, and the daemon process that serves it.
        .target(name: "DaemonRPC",
                dependencies: ["SkillhostModel", "SkillDaemon", "SkillRuntime", "ProcessIsolation", "Registry",
                               "InferenceDriver", "Scheduling", "JSONRPC", "SkillhostProtocol"]),

        // Executables.
        .executableTarget(name: "skillhostd", dependencies: ["DaemonRPC", "SkillDaemon", "SkillWorker", "JSONRPC"]),
        // skillctl's commands, each declared once (arguments, options, help, request, rendering), and the
        // parser, help and README table made from that list; the executable only hands it its command line.
        .target(name: "SkillctlCommands", dependencies: ["JSONRPC", "SkillhostProtocol", "SkillhostModel", "Scheduling"]),
        .executableTarget(name: "skillctl", dependencies: ["SkillctlCommands"]),
        // The benchmark of issue 7 (docs/BENCHMARKS.md); bench/run builds and drives it.
        .executableTarget(name: "skillbench",
                          dependencies: ["SkillRuntime", "SkillhostModel", "Registry", "JSONRPC", "SkillhostProtocol", "InferenceDriver",
                                         "CSQLite"]),

        // Example skills: one in C, one in Swift.
        .target(name: "HelloSkill", dependencies: ["SkillABI"], path: "Plugins/hello"),
        .target(name: "CompleteSkill", dependencies: ["SkillABI"], path: "Plugins/complete"),

        // Tests, and what they share: child processes, fixture skills, the model server.
        .target(name: "TestSupport", dependencies: ["JSONRPC"], path: "Tests/TestSupport"),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "SkillhostModel"]),
        .testTarget(name: "InferenceDriverTests", dependencies: ["InferenceDriver", "TestSupport"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
        .testTarget(name: "SkillhostProtocolTests", dependencies: ["SkillhostProtocol", "SkillhostModel", "JSONRPC"]),
        .testTarget(name: "SkillHostTests",
                    dependencies: ["SkillRuntime", "WorkerProtocol", "SkillWorker", "ProcessIsolation", "SkillDaemon", "DaemonRPC",
                                   "SkillhostModel", "SkillhostProtocol", "Registry", "SkillABI", "JSONRPC", "TestSupport", "Scheduling",
                                   "InferenceDriver"]),
        .testTarget(name: "EndToEndTests", dependencies: ["JSONRPC", "Registry", "SkillhostModel", "TestSupport"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"]),
        .testTarget(name: "SkillhostModelTests", dependencies: ["SkillhostModel"]),
        .testTarget(name: "SkillctlCommandsTests", dependencies: ["SkillctlCommands", "SkillhostProtocol", "Scheduling"]),
    ],
    swiftLanguageModes: [.v6]
)

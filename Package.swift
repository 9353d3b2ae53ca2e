// swift-tools-version: 6.0
//
// skillhost: a daemon that hosts LLM skills compiled as native shared libraries.
// No Swift package dependencies: only the toolchain and Debian's C libraries
// (libsqlite3, libcrypto, libssl) through system-library targets.

import PackageDescription

let package = Package(
    name: "skillhost",
    products: [
        .executable(name: "skillhostd", targets: ["skillhostd"]),
        .executable(name: "skillctl", targets: ["skillctl"]),
        .executable(name: "skillbench", targets: ["skillbench"]),
        .executable(name: "skillhost-worker-init", targets: ["skillhost-worker-init"]),
        // Prints the manual pages, made from the declarations; scripts/install runs it.
        .executable(name: "skillhost-man", targets: ["skillhost-man"]),
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
        .systemLibrary(name: "CSSL", path: "Sources/CSSL", pkgConfig: "libssl",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "CSystemShims", path: "Sources/CSystemShims"),
        // The system calls every layer makes, in Swift's terms: errno as a value, typed errors,
        // EINTR retried, owned file descriptors, whole-file reads, Duration conversions.
        .target(name: "SystemCalls", dependencies: ["CSystemShims"]),

        // Libraries, one concern each, from the bottom up. No module imports one listed after it.
        // The words every layer shares: versions, run statuses, error kinds, usage, log lines.
        .target(name: "SkillhostModel"),
        .target(name: "Scheduling"),
        // Manual pages in the man(7) macros, escaped for roff: no skillhost policy.
        .target(name: "Roff"),
        // JSON values, a strict parser and serialization; then the log, one JSON object a line.
        .target(name: "JSON"),
        .target(name: "Logging", dependencies: ["JSON", "SkillhostModel", "SystemCalls"]),
        .target(name: "JSONRPC", dependencies: ["JSON", "CSystemShims", "SystemCalls"]),
        // HTTP/1.1 over TCP, generic: the listener, the request reader and its limits, responses
        // whole or streamed, a handler protocol; routes are the caller's.
        .target(name: "HTTPServer", dependencies: ["CSystemShims", "SystemCalls", "CSSL"]),
        // The service manager's protocols: socket activation, readiness and status, the watchdog.
        .target(name: "ServiceManager", dependencies: ["SystemCalls"]),
        // Prometheus metrics: counters, gauges, histograms by label set, and their text format.
        .target(name: "Metrics", dependencies: ["SystemCalls"]),
        .target(name: "Registry", dependencies: ["SkillhostModel", "SystemCalls", "CSQLite", "CCrypto"]),
        .target(name: "InferenceDriver", dependencies: ["SystemCalls"]),
        // skillhostd's protocol, declared once: every method (params, result, error kinds),
        // every notification, the registry of them all, and where the socket is.
        .target(name: "SkillhostProtocol", dependencies: ["JSON", "JSONRPC", "SkillhostModel"]),
        // The Model Context Protocol's server side over skillhostd: each skill a tool, sessions
        // fed messages by any transport, and the stdio transport.
        .target(name: "MCP", dependencies: ["JSON", "JSONRPC", "SkillhostProtocol", "SkillhostModel", "SystemCalls"]),

        // Running a skill, on both sides of the process boundary: loading and ABI checks, the
        // CSI host table, the invocation and its outcome, deadlines, in-process execution.
        .target(name: "SkillRuntime", dependencies: ["SkillABI", "SkillhostModel", "InferenceDriver", "JSON", "SystemCalls"]),
        // The messages between the daemon and a worker process, and the channel they travel on.
        .target(name: "WorkerProtocol", dependencies: ["SkillABI", "SkillhostModel", "SkillRuntime", "InferenceDriver", "SystemCalls"]),
        // The worker process's side: `skillhostd --worker` loads one skill and serves its runs.
        .target(name: "SkillWorker",
                dependencies: ["SkillABI", "SkillhostModel", "SkillRuntime", "WorkerProtocol", "InferenceDriver", "CSystemShims", "SystemCalls"]),
        // The daemon's side of process isolation: spawning, pooling and running on workers.
        .target(name: "ProcessIsolation",
                dependencies: ["SkillABI", "SkillhostModel", "SkillRuntime", "WorkerProtocol", "InferenceDriver", "CSystemShims",
                               "SystemCalls"]),

        // The daemon's domain: runs, batches, schedules, skills and the configuration.
        .target(name: "SkillDaemon",
                dependencies: ["SkillhostModel", "Registry", "InferenceDriver", "Scheduling", "SkillRuntime",
                               "ProcessIsolation", "JSON", "Logging", "SystemCalls", "Roff", "Metrics", "HTTPServer"]),
        // The daemon's HTTP API: its routes and the tokens each needs.
        .target(name: "HTTPAPI", dependencies: ["HTTPServer", "Registry", "SkillhostModel", "JSON", "JSONRPC", "SkillhostProtocol", "MCP",
                                              "SystemCalls"]),
        // The daemon's JSON-RPC face over its domain, and the daemon process that serves it.
        .target(name: "DaemonRPC",
                dependencies: ["SkillhostModel", "SkillDaemon", "SkillRuntime", "ProcessIsolation", "Registry",
                               "InferenceDriver", "Scheduling", "JSON", "JSONRPC", "SkillhostProtocol", "Logging", "ServiceManager",
                               "SystemCalls", "Metrics", "HTTPServer", "HTTPAPI", "MCP"]),

        // skillctl's commands, each declared once (arguments, options, help, request, rendering), and
        // the parser, help and README table made from that list; the executable hands it its arguments.
        .target(name: "SkillctlCommands",
                dependencies: ["JSON", "JSONRPC", "SkillhostProtocol", "SkillhostModel", "Scheduling", "Roff", "MCP"]),

        // Executables.
        .executableTarget(name: "skillhostd", dependencies: ["DaemonRPC", "SkillDaemon", "SkillRuntime", "SkillWorker", "SkillhostModel", "JSONRPC",
                                                            "Logging", "ServiceManager", "SystemCalls"]),
        .executableTarget(name: "skillctl", dependencies: ["SkillctlCommands"]),
        .executableTarget(name: "skillhost-worker-init"),
        .executableTarget(name: "skillhost-man", dependencies: ["SkillctlCommands", "SkillDaemon"]),
        // Prints the HTTP API's OpenAPI document, made from its routes: docs/openapi.json.
        .executableTarget(name: "skillhost-openapi", dependencies: ["HTTPAPI"]),
        // The benchmark (docs/BENCHMARKS.md); bench/run builds and drives it.
        .executableTarget(name: "skillbench",
                          dependencies: ["SkillRuntime", "SkillhostModel", "Registry", "JSON", "JSONRPC", "SkillhostProtocol", "InferenceDriver",
                                         "CSQLite", "SystemCalls"]),

        // Example skills: one in C, one in Swift.
        .target(name: "HelloSkill", dependencies: ["SkillABI"], path: "Plugins/hello"),
        .target(name: "CompleteSkill", dependencies: ["SkillABI"], path: "Plugins/complete"),

        // Tests, and what they share: child processes, fixture skills, the model server.
        .target(name: "TestSupport", dependencies: ["JSON", "JSONRPC", "SystemCalls"], path: "Tests/TestSupport"),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "SkillhostModel", "CSQLite"]),
        .testTarget(name: "InferenceDriverTests", dependencies: ["InferenceDriver", "TestSupport"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "LoggingTests", dependencies: ["Logging", "JSON"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSON", "JSONRPC", "CSystemShims", "SystemCalls"]),
        .testTarget(name: "SkillhostProtocolTests", dependencies: ["SkillhostProtocol", "SkillhostModel", "JSON", "JSONRPC"]),
        .testTarget(name: "MCPTests", dependencies: ["MCP", "SkillhostProtocol", "JSON", "JSONRPC"]),
        .testTarget(name: "SkillHostTests",
                    dependencies: ["SkillRuntime", "WorkerProtocol", "SkillWorker", "ProcessIsolation", "SkillDaemon", "DaemonRPC",
                                   "SkillhostModel", "SkillhostProtocol", "Registry", "SkillABI", "JSON", "JSONRPC", "Logging", "TestSupport",
                                   "Scheduling", "InferenceDriver", "MCP"]),
        .testTarget(name: "EndToEndTests", dependencies: ["JSON", "JSONRPC", "Registry", "SkillhostModel", "TestSupport"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"]),
        .testTarget(name: "SkillhostModelTests", dependencies: ["SkillhostModel"]),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls", "CSystemShims"]),
        .testTarget(name: "ServiceManagerTests", dependencies: ["ServiceManager", "SystemCalls"]),
        .testTarget(name: "SkillctlCommandsTests",
                    dependencies: ["SkillctlCommands", "SkillhostProtocol", "SkillhostModel", "Scheduling", "JSON", "JSONRPC", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "HTTPAPITests", dependencies: ["HTTPAPI", "HTTPServer", "SkillhostProtocol", "SkillhostModel", "JSON", "JSONRPC"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

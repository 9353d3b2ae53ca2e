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

        // Libraries, one concern each.
        .target(name: "Registry", dependencies: ["CSQLite", "CCrypto"]),
        .target(name: "InferenceDriver", dependencies: ["CSystemShims"]),
        .target(name: "Scheduling"),
        .target(name: "JSONRPC", dependencies: ["CSystemShims"]),
        .target(name: "SkillHost",
                dependencies: ["SkillABI", "Registry", "InferenceDriver", "JSONRPC", "CSystemShims", "Scheduling"]),

        // Executables.
        .executableTarget(name: "skillhostd", dependencies: ["SkillHost"]),
        .executableTarget(name: "skillctl", dependencies: ["JSONRPC", "Scheduling"]),
        // The benchmark of issue 7 (docs/BENCHMARKS.md); bench/run builds and drives it.
        .executableTarget(name: "skillbench", dependencies: ["SkillHost", "Registry", "JSONRPC", "InferenceDriver", "CSQLite"]),

        // Example skills: one in C, one in Swift.
        .target(name: "HelloSkill", dependencies: ["SkillABI"], path: "Plugins/hello"),
        .target(name: "CompleteSkill", dependencies: ["SkillABI"], path: "Plugins/complete"),

        // Tests, and what they share: child processes, fixture skills, the model server.
        .target(name: "TestSupport", dependencies: ["JSONRPC"], path: "Tests/TestSupport"),
        .testTarget(name: "RegistryTests", dependencies: ["Registry"]),
        .testTarget(name: "InferenceDriverTests", dependencies: ["InferenceDriver", "TestSupport"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
        .testTarget(name: "SkillHostTests", dependencies: ["SkillHost", "SkillABI", "JSONRPC", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["JSONRPC", "Registry", "TestSupport"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"]),
    ],
    swiftLanguageModes: [.v6]
)

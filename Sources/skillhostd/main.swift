import DaemonRPC
import Foundation
import SkillDaemon
import SkillRuntime
import SkillWorker
import SkillhostModel

// Worker mode (docs/WORKER-PROTOCOL.md) comes before anything else: no logging, no config.
if CommandLine.arguments.dropFirst().first == "--worker" {
    SkillWorker.main(arguments: Array(CommandLine.arguments.dropFirst()))
}

// A reader of stderr (or a client) that goes away must not kill the daemon: writes then
// fail with EPIPE, which the code handles.
signal(SIGPIPE, SIG_IGN)

/// Writes `message` to standard error and exits with `status`.
func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("skillhostd: \(message)\n".utf8))
    exit(status)
}

let invocation: DaemonInvocation
do {
    switch try DaemonCommandLine.parse(Array(CommandLine.arguments.dropFirst())) {
    case .help:
        print(DaemonSettingsDocument.help)
        exit(0)
    case .version:
        print("skillhostd \(SkillhostRelease.version) (skill ABI \(SkillLoader.abiMajor).\(SkillLoader.abiMinor))")
        exit(0)
    case let .serve(given):
        invocation = given
    }
} catch {
    fail("\(error)", status: 2)
}

let configuration: DaemonConfiguration
do {
    configuration = try invocation.configuration()
    _ = try configuration.apiKeys(for: configuration.inferenceModels())
} catch {
    fail("\(error)", status: 2)
}

do {
    try await Daemon(configuration: configuration).run()
} catch {
    fail("\(error)", status: 1)
}

import DaemonRPC
import Foundation
import Logging
import ServiceManager
import SkillDaemon
import SkillRuntime
import SkillWorker
import SkillhostModel
import SystemCalls

// Worker mode (docs/WORKER-PROTOCOL.md) comes before anything else: no logging, no config.
if CommandLine.arguments.dropFirst().first == "--worker" {
    SkillWorker.main(arguments: Array(CommandLine.arguments.dropFirst()))
}

// A reader of stderr (or a client) that goes away must not kill the daemon: writes then
// fail with EPIPE, which the code handles.
signal(SIGPIPE, SIG_IGN)
// A reload request (`systemctl reload`) while the daemon starts must not end it, as SIGHUP's
// default action would: ignored until the daemon catches it, once it can reload.
signal(SIGHUP, SIG_IGN)

/// Writes `message` to standard error, led by the error priority when that is the journal,
/// and exits with `status`.
func fail(_ message: String, status: DaemonExitStatus) -> Never {
    let priority = JournalStream.isJournal(STDERR_FILENO, journalStream: JournalStream.variable)
        ? "<\(Logger.Level.error.syslogPriority)>" : ""
    FileHandle.standardError.write(Data("\(priority)skillhostd: \(message)\n".utf8))
    exit(status.rawValue)
}

// Before anything else, the daemon makes itself private to its user's other processes (a
// skill's worker among them): not dumpable, so that they cannot ptrace it or read its
// /proc/PID/environ, mem or fd; and a creation mask of 077, so that the registry, its -wal
// and -shm, and everything else it creates are its user's alone whatever the mode of the
// data directory. Workers are started with execve, which makes them dumpable again.
do {
    try ProcessHardening.makeNotDumpable()
} catch {
    fail("cannot make the daemon's process private: \(error)", status: .cannotStart)
}
ProcessHardening.restrictFileCreationMask()
// The environment as started, taken before the key variables are withdrawn from it.
let environment = ProcessInfo.processInfo.environment

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
    fail("\(error)", status: .usage)
}

// What a service manager handed over (docs/SERVICE.md): the sockets of socket activation,
// made close-on-exec, and the socket it hears reports on. Their variables are removed from
// the environment before any thread or worker starts, so that no worker believes them its own.
let activation: SocketActivation.Handover
do {
    activation = try SocketActivation.take(environment: environment)
} catch {
    fail("\(error)", status: .cannotStart)
}
let notifier = ServiceNotifier.take(environment: environment)
let protocolVariables = Set(SocketActivation.environmentVariables + ServiceNotifier.environmentVariables)
let daemonEnvironment = environment.filter { !protocolVariables.contains($0.key) }

// The daemon reads its API keys as it is created, and overwrites the variables that held
// them in its environment area, before it starts a thread or a worker.
let daemon: Daemon
do {
    daemon = try Daemon(invocation: invocation, environment: daemonEnvironment, activation: activation, notifier: notifier)
} catch {
    fail("\(error)", status: .usage)
}

do {
    try await daemon.run()
} catch {
    fail("\(error)", status: error.exitStatus)
}

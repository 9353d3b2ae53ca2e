import Foundation
import Glibc
import JSON
import JSONRPC
import Registry
import SkillhostModel
import TestSupport

/// The real `skillhostd` binary, started on a private socket and data directory, driven
/// with the real `skillctl` binary and inspected through the real SQLite file.
final class DaemonHarness: Sendable {
    /// What a `skillctl` invocation printed and how it ended.
    struct CommandResult: Sendable {
        var termination: Termination
        var standardOutput: String
        var standardError: String

        /// The exit status; -1 when a signal ended it.
        var status: Int32 {
            if case let .exited(status) = termination { return status }
            return -1
        }

        /// Standard output parsed as JSON (for `--json` commands).
        func json() throws -> JSONValue {
            try JSONValue(parsing: standardOutput)
        }
    }

    let directory: TemporaryDirectory
    let socketPath: String
    let dataDirectory: String
    let logPath: String
    let process: ChildProcess
    /// The `skillctl` that drives it.
    let skillctlPath: String

    /// Starts a daemon whose inference goes to `inferenceURL` (nil: as `arguments` say, such
    /// as a config file's `models`), and waits for its socket. With `user`, the daemon runs
    /// as that uid and gid (through `setpriv`, which this process, root, may run), and its
    /// directory belongs to it. It logs at `logLevel`, given as a flag; nil: as `arguments`
    /// or its config file say. With `launcher`, the daemon is started through that command
    /// (`systemd-socket-activate ...`), which is given `descriptors` (the child's number for
    /// each, and this process's descriptor it copies). With `programs`, the `skillhostd` and
    /// `skillctl` of that folder (an installed copy) instead of the build's.
    init(inferenceURL: URL?, arguments: [String] = [], environment: [String: String] = [:],
         directory: TemporaryDirectory? = nil, user: uid_t? = nil, logLevel: String? = "debug",
         launcher: [String] = [], descriptors: [Int32: Int32] = [:], programs: String? = nil) async throws {
        let directory = try directory ?? TemporaryDirectory(prefix: "e2e")
        self.directory = directory
        socketPath = directory.path("run/skillhostd.sock")
        dataDirectory = directory.path("data")
        logPath = directory.path("skillhostd.log")
        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment.merge(environment) { $1 }
        let daemonArguments = ["--socket", socketPath, "--data-dir", dataDirectory]
            + (logLevel.map { ["--log-level", $0] } ?? [])
            + (inferenceURL.map { ["--inference-url", $0.absoluteString] } ?? []) + arguments
        var launchers = launcher
        if let user {
            guard chown(directory.path, user, user) == 0 else { throw HarnessError("cannot chown \(directory.path): errno \(errno)") }
            launchers = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", "--"] + launchers
        }
        skillctlPath = try programs.map { $0 + "/skillctl" } ?? BuildProducts.skillctl()
        let command = launchers + [try programs.map { $0 + "/skillhostd" } ?? BuildProducts.skillhostd()] + daemonArguments
        process = try ChildProcess(
            command[0], arguments: Array(command.dropFirst()),
            // Nothing of this process's own output is handed down: a daemon outliving a
            // crashed test run must not keep swift test waiting for the end of its output.
            environment: childEnvironment, standardOutput: .null, standardError: .file(logPath), descriptors: descriptors)
        try await waitUntilServing()
    }

    /// Polls until `skillctl status` answers, or fails with the daemon's log.
    private func waitUntilServing() async throws {
        guard try await answersStatus(within: .seconds(20)) else {
            throw HarnessError("skillhostd did not serve \(socketPath) within 20 s; its log:\n\(log())")
        }
    }

    /// Polls until `skillctl status` succeeds: true then, false after `timeout`.
    /// - Throws: when the daemon has ended, with its log.
    func answersStatus(within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let termination = try process.pollTermination() {
                throw HarnessError("skillhostd \(termination) before serving; its log:\n\(log())")
            }
            if FileManager.default.fileExists(atPath: socketPath), try await skillctl("status").status == 0 {
                return true
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The daemon's log so far.
    func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no log)"
    }

    /// Runs `skillctl --socket <this daemon's> arguments...`.
    func skillctl(_ arguments: String..., standardInput: String? = nil) async throws -> CommandResult {
        try await skillctl(arguments: arguments, standardInput: standardInput)
    }

    /// Runs `skillctl --socket <this daemon's>` with `arguments`.
    func skillctl(arguments: [String], standardInput: String? = nil) async throws -> CommandResult {
        try await Self.skillctl(arguments: ["--socket", socketPath] + arguments, standardInput: standardInput,
                                program: skillctlPath)
    }

    /// Runs `skillctl` (the build's, or `program`) with exactly `arguments`.
    static func skillctl(arguments: [String], standardInput: String? = nil, program: String? = nil) async throws -> CommandResult {
        let child = try ChildProcess(
            try program ?? BuildProducts.skillctl(), arguments: arguments,
            standardInput: standardInput == nil ? .null : .pipe, standardOutput: .pipe, standardError: .pipe)
        if let standardInput {
            try child.write(standardInput)
            child.closeStandardInput()
        }
        let output = try await child.readAll(from: .standardOutput)
        let errors = try await child.readAll(from: .standardError)
        return CommandResult(termination: try await child.wait(), standardOutput: output, standardError: errors)
    }

    /// Connects to the daemon's socket as a JSON-RPC client; `onNotification` gets the
    /// notifications the daemon sends it, on the client's reader thread.
    func client(onNotification: (@Sendable (String, JSONValue?) -> Void)? = nil) throws -> JSONRPCClient {
        try JSONRPCClient(socketPath: socketPath, onNotification: onNotification)
    }

    /// Calls `method` on the daemon over a connection of its own.
    func call(_ method: String, _ params: JSONValue? = nil) async throws -> JSONValue {
        let client = try client()
        defer { client.close() }
        return try await client.call(method, params: params)
    }

    /// Opens the daemon's registry file, as another process would.
    func registry() throws -> Registry {
        try Registry(dataDirectory: dataDirectory)
    }

    /// Waits until the registry shows a run in the `running` state, and returns its id.
    func waitForRunningRun() async throws -> Int64 {
        let registry = try registry()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            if let run = try registry.runs(matching: RunQuery(status: .running)).first {
                return run.id
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw HarnessError("no run reached the running state within 30 s; the daemon's log:\n\(log())")
    }

    /// Sends SIGTERM and waits for the daemon to end.
    func stop() async throws -> Termination {
        process.signal(SIGTERM)
        return try await process.wait(timeout: .seconds(30))
    }
}

/// A harness failure, with the daemon's log when it helps.
struct HarnessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

import Foundation
import Glibc

/// A llama.cpp model server of a test's own (Gemma 3 270M, like the shared one), for tests
/// that must stop a server mid-test or need several: started through
/// `Tests/Fixtures/guarded_model_server.py`, which kills the server when the test closes
/// its standard input or dies.
///
/// It uses the virtual environment and model that `./scripts/setup` installed under
/// `$SKILLHOST_CACHE` (default `~/.cache/skillhost`). Starting one takes a few seconds.
public final class GuardedModelServer: Sendable {
    /// The server's root URL, `http://127.0.0.1:<port>`.
    public let baseURL: URL
    /// The llama.cpp server's process id (a child of the guard, not of the test).
    public let serverPID: pid_t
    private let guardProcess: ChildProcess

    private init(baseURL: URL, serverPID: pid_t, guardProcess: ChildProcess) {
        self.baseURL = baseURL
        self.serverPID = serverPID
        self.guardProcess = guardProcess
    }

    /// Starts a server and waits until it answers `GET /v1/models`; its output goes to `log`.
    public static func start(log: String) async throws -> GuardedModelServer {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["SKILLHOST_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/skillhost"
        let python = cache + "/venv/bin/python"
        let modelPath = try String(contentsOfFile: cache + "/model-path", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/guarded_model_server.py").path
        let process = try ChildProcess(python, arguments: [script, "--model", modelPath, "--log", log],
                                       standardInput: .pipe, standardOutput: .pipe)
        let line = try await process.readLine(timeout: .seconds(150)) ?? ""
        let fields = line.split(separator: " ")
        guard fields.count == 4, fields[0] == "PORT", let port = Int(fields[1]), fields[2] == "PID",
              let pid = pid_t(fields[3])
        else {
            process.closeStandardInput()
            process.signal(SIGKILL)
            throw TestSupportError.unexpectedOutput(
                command: "\(python) \(script)", output: line, expected: "PORT <port> PID <pid>")
        }
        return GuardedModelServer(baseURL: URL(string: "http://127.0.0.1:\(port)")!, serverPID: pid, guardProcess: process)
    }

    /// Kills the server with SIGKILL, as a crash would; the guard stays until ``stop()``.
    public func killServer() {
        kill(serverPID, SIGKILL)
    }

    /// Stops the server (if still running) and its guard, and waits for the guard to exit.
    public func stop() {
        guardProcess.closeStandardInput()
        _ = try? guardProcess.blockingWait()
    }
}

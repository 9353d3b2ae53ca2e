import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc

/// A running `Tests/Fixtures/fault_inference_server.py`: an OpenAI-compatible server that
/// misbehaves on purpose, for fault injection.
///
/// The server exits when its stdin reaches end of file, so even a test process that
/// crashes never leaves one behind; ``stop()`` also kills and reaps it.
public final class FaultServer: Sendable {
    /// The behaviours of the fixture (`--mode`).
    public enum Mode: String, Sendable {
        case ok, error500, garbage, wrongshape, stall, slow, noaccept
    }

    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let process: ChildProcess

    /// The server's root URL, `http://127.0.0.1:<port>`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private init(process: ChildProcess, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts the fixture and waits for its `PORT <n>` line.
    public static func start(mode: Mode, delaySeconds: Double? = nil) async throws -> FaultServer {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/fault_inference_server.py").path
        var arguments = [script, "--port", "0", "--mode", mode.rawValue]
        if let delaySeconds {
            arguments += ["--delay", String(delaySeconds)]
        }
        let process = try ChildProcess("python3", arguments: arguments, standardInput: .pipe, standardOutput: .pipe)
        let line = try await process.readLine() ?? ""
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            process.closeStandardInput()
            process.signal(SIGKILL)
            throw TestSupportError.unexpectedOutput(command: "python3 \(script)", output: line, expected: "PORT <n>")
        }
        return FaultServer(process: process, port: port)
    }

    /// Closes the server's stdin, kills it and waits for it to exit.
    public func stop() {
        process.closeStandardInput()
        process.signal(SIGKILL)
        _ = try? process.blockingWait()
    }

    /// A port on 127.0.0.1 where nothing listens: one a fault server just gave up.
    public static func closedPort() async throws -> Int {
        let server = try await start(mode: .ok)
        server.stop()
        return server.port
    }

    /// What the server has seen, from `GET /stats`.
    public func stats() async throws -> FaultServerStats {
        let (data, _) = try await URLSession.shared.data(from: baseURL.appendingPathComponent("stats"))
        return try FaultServerStats(data)
    }
}

/// The JSON of the fault server's `GET /stats`.
public struct FaultServerStats {
    /// Requests seen per path, such as `/v1/completions`.
    public let requestsByPath: [String: Int]
    /// The JSON body of the last completion request, if any.
    public let lastCompletionBody: [String: Any]?
    /// The path of the last completion request.
    public let lastCompletionPath: String?
    /// The `Authorization` header of the last completion request.
    public let lastAuthorization: String?
    /// Clients that hung up while the server stalled.
    public let stallClientDisconnects: Int

    init(_ data: Data) throws {
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        requestsByPath = object["requests_by_path"] as? [String: Int] ?? [:]
        let last = object["last_completion_request"] as? [String: Any]
        lastCompletionBody = last?["body"] as? [String: Any]
        lastCompletionPath = last?["path"] as? String
        lastAuthorization = last?["authorization"] as? String
        stallClientDisconnects = object["stall_client_disconnects"] as? Int ?? 0
    }

    /// Completion requests seen.
    public var completionRequests: Int { requestsByPath["/v1/completions"] ?? 0 }
}

/// Runs `body` with a fault server in `mode`, and stops the server afterwards.
public func withFaultServer<Value>(
    _ mode: FaultServer.Mode,
    delaySeconds: Double? = nil,
    _ body: (FaultServer) async throws -> Value
) async throws -> Value {
    let server = try await FaultServer.start(mode: mode, delaySeconds: delaySeconds)
    defer { server.stop() }
    return try await body(server)
}

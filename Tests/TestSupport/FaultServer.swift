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
    /// The behaviours of the fixture (`--mode`; the fixture's header describes each).
    public enum Mode: String, Sendable {
        case ok, error500, garbage, wrongshape, stall, slow, noaccept
        case ratelimit, unavailable, halfstream, nochat, unhealthy
    }

    /// How the fixture ends its 200 answers (`--framing`).
    public enum Framing: String, Sendable {
        /// A `Content-Length` header (streams are chunked anyway).
        case length
        /// Chunked transfer encoding.
        case chunked
        /// No length: the body ends when the server closes the connection.
        case close
    }

    /// The fixture's options besides its mode.
    public struct Options: Sendable {
        /// Seconds `slow` waits before answering (`--delay`).
        public var delaySeconds: Double?
        /// Only the first N completion requests get the mode's behaviour (`--fail-first`).
        public var failFirst: Int?
        /// The `Retry-After` header of `ratelimit` answers (`--retry-after`).
        public var retryAfter: String?
        /// Seconds between streamed events (`--chunk-delay`).
        public var chunkDelaySeconds: Double?
        /// How 200 answers end (`--framing`).
        public var framing: Framing?
        /// Whether streams carry a usage event when the request asks for one (false: `--no-stream-usage`).
        public var streamUsage: Bool

        /// Creates options; every `nil` leaves the fixture's default.
        public init(
            delaySeconds: Double? = nil, failFirst: Int? = nil, retryAfter: String? = nil,
            chunkDelaySeconds: Double? = nil, framing: Framing? = nil, streamUsage: Bool = true
        ) {
            self.delaySeconds = delaySeconds
            self.failFirst = failFirst
            self.retryAfter = retryAfter
            self.chunkDelaySeconds = chunkDelaySeconds
            self.framing = framing
            self.streamUsage = streamUsage
        }

        var arguments: [String] {
            var arguments: [String] = []
            if let delaySeconds { arguments += ["--delay", String(delaySeconds)] }
            if let failFirst { arguments += ["--fail-first", String(failFirst)] }
            if let retryAfter { arguments += ["--retry-after", retryAfter] }
            if let chunkDelaySeconds { arguments += ["--chunk-delay", String(chunkDelaySeconds)] }
            if let framing { arguments += ["--framing", framing.rawValue] }
            if !streamUsage { arguments.append("--no-stream-usage") }
            return arguments
        }
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
        try await start(mode: mode, options: Options(delaySeconds: delaySeconds))
    }

    /// Starts the fixture with `options` and waits for its `PORT <n>` line.
    public static func start(mode: Mode, options: Options) async throws -> FaultServer {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/fault_inference_server.py").path
        let arguments = [script, "--port", "0", "--mode", mode.rawValue] + options.arguments
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

    /// Switches the running server to `mode` (`POST /control`); `failFirst` limits the
    /// failures to the next N completion requests, `retryAfter` replaces the `Retry-After`
    /// header of `ratelimit` answers.
    public func control(mode: Mode, failFirst: Int? = nil, retryAfter: String? = nil) async throws {
        var changes: [String: Any] = ["mode": mode.rawValue]
        if let failFirst { changes["fail_first"] = failFirst }
        if let retryAfter { changes["retry_after"] = retryAfter }
        var request = URLRequest(url: baseURL.appendingPathComponent("control"))
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: changes)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw TestSupportError.unexpectedOutput(
                command: "POST /control", output: String(decoding: data, as: UTF8.self), expected: "HTTP 200")
        }
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
    /// Clients that hung up before their answer was complete: in a stall, a delay or a stream.
    public let clientDisconnects: Int

    init(_ data: Data) throws {
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        requestsByPath = object["requests_by_path"] as? [String: Int] ?? [:]
        let last = object["last_completion_request"] as? [String: Any]
        lastCompletionBody = last?["body"] as? [String: Any]
        lastCompletionPath = last?["path"] as? String
        lastAuthorization = last?["authorization"] as? String
        stallClientDisconnects = object["stall_client_disconnects"] as? Int ?? 0
        clientDisconnects = object["client_disconnects"] as? Int ?? 0
    }

    /// Completion requests seen.
    public var completionRequests: Int { requestsByPath["/v1/completions"] ?? 0 }
    /// Chat completion requests seen.
    public var chatCompletionRequests: Int { requestsByPath["/v1/chat/completions"] ?? 0 }
}

/// Runs `body` with a fault server in `mode`, and stops the server afterwards.
public func withFaultServer<Value>(
    _ mode: FaultServer.Mode,
    delaySeconds: Double? = nil,
    _ body: (FaultServer) async throws -> Value
) async throws -> Value {
    try await withFaultServer(mode, options: FaultServer.Options(delaySeconds: delaySeconds), body)
}

/// Runs `body` with a fault server in `mode` with `options`, and stops the server afterwards.
public func withFaultServer<Value>(
    _ mode: FaultServer.Mode,
    options: FaultServer.Options,
    _ body: (FaultServer) async throws -> Value
) async throws -> Value {
    let server = try await FaultServer.start(mode: mode, options: options)
    defer { server.stop() }
    return try await body(server)
}

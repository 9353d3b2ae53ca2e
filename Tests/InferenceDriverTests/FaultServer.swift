import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// A running `Tests/Fixtures/fault_inference_server.py`, started with `posix_spawn`.
///
/// The server exits when its stdin reaches end of file, so even a test process that
/// crashes never leaves one behind; ``stop()`` also kills and reaps it.
final class FaultServer: Sendable {
    /// The behaviours of the fixture (`--mode`).
    enum Mode: String, Sendable {
        case ok, error500, garbage, wrongshape, stall, slow, noaccept
    }

    struct StartError: Error, CustomStringConvertible {
        let description: String
    }

    /// Serialises pipe creation and spawning, so that no child started by another test
    /// inherits these pipes between `pipe()` and marking them close-on-exec.
    private static let spawnLock = Mutex(())

    let port: Int
    private let pid: pid_t
    private let stdinWriteEnd: Int32

    /// The server's root URL, `http://127.0.0.1:<port>`.
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts the fixture and waits for its `PORT <n>` line.
    init(mode: Mode, delaySeconds: Double? = nil) throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fault_inference_server.py")
            .path
        var arguments = ["python3", script, "--port", "0", "--mode", mode.rawValue]
        if let delaySeconds {
            arguments += ["--delay", String(delaySeconds)]
        }

        let (pid, stdinWriteEnd, stdoutReadEnd) = try Self.spawnLock.withLock { _ in
            try Self.spawn(arguments)
        }
        self.pid = pid
        self.stdinWriteEnd = stdinWriteEnd
        defer { close(stdoutReadEnd) }

        let line = Self.readLine(from: stdoutReadEnd)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            Self.terminate(pid: pid, stdinWriteEnd: stdinWriteEnd)
            throw StartError(description: "\(script) printed \"\(line)\" instead of \"PORT <n>\"")
        }
        self.port = port
    }

    /// Starts the fixture on a Dispatch thread: waiting for Python to start blocks, and
    /// blocking the few threads of Swift's cooperative pool would delay the timing-
    /// sensitive tests running beside this one.
    static func start(mode: Mode, delaySeconds: Double? = nil) async throws -> FaultServer {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try FaultServer(mode: mode, delaySeconds: delaySeconds) })
            }
        }
    }

    /// Closes the server's stdin, kills it and waits for it to exit.
    func stop() {
        Self.terminate(pid: pid, stdinWriteEnd: stdinWriteEnd)
    }

    /// A port on 127.0.0.1 where nothing listens: one a fault server just gave up.
    static func closedPort() async throws -> Int {
        let server = try await start(mode: .ok)
        server.stop()
        return server.port
    }

    /// What the server has seen, from `GET /stats`.
    func stats() async throws -> FaultServerStats {
        let (data, _) = try await URLSession.shared.data(from: baseURL.appendingPathComponent("stats"))
        return try FaultServerStats(data)
    }

    private static func spawn(_ arguments: [String]) throws -> (pid_t, stdinWriteEnd: Int32, stdoutReadEnd: Int32) {
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0 else {
            throw StartError(description: "pipe failed: errno \(errno)")
        }
        for fd in stdinPipe + stdoutPipe {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        defer {
            close(stdinPipe[0])
            close(stdoutPipe[1])
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies, so only these two reach the child.
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], STDOUT_FILENO)

        // Children of threads that block signals inherit the mask (the bug that breaks
        // Foundation.Process on Linux): start with an empty mask and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGPIPE)
        sigaddset(&defaultSignals, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard status == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            throw StartError(description: "posix_spawnp \(arguments[0]) failed: \(String(cString: strerror(status)))")
        }
        return (pid, stdinPipe[1], stdoutPipe[0])
    }

    private static func readLine(from fd: Int32) -> String {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") {
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func terminate(pid: pid_t, stdinWriteEnd: Int32) {
        close(stdinWriteEnd)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

/// The JSON of the fault server's `GET /stats`.
struct FaultServerStats {
    /// Requests seen per path, such as `/v1/completions`.
    let requestsByPath: [String: Int]
    /// The JSON body of the last completion request, if any.
    let lastCompletionBody: [String: Any]?
    /// The path of the last completion request.
    let lastCompletionPath: String?
    /// The `Authorization` header of the last completion request.
    let lastAuthorization: String?
    /// Clients that hung up while the server stalled.
    let stallClientDisconnects: Int

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
    var completionRequests: Int { requestsByPath["/v1/completions"] ?? 0 }
}

/// Runs `body` with a fault server in `mode`, and stops the server afterwards.
func withFaultServer<Value>(
    _ mode: FaultServer.Mode,
    delaySeconds: Double? = nil,
    _ body: (FaultServer) async throws -> Value
) async throws -> Value {
    let server = try await FaultServer.start(mode: mode, delaySeconds: delaySeconds)
    defer { server.stop() }
    return try await body(server)
}

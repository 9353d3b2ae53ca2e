import Foundation
import Glibc
import JSON
import JSONRPC
import SkillhostProtocol

/// A `skillhostd` of skillbench's own: its data directory, socket and log in a folder of the
/// bench's work directory, an empty config file (so the user's config cannot change what is
/// measured), and the inference server given.
final class DaemonUnderTest {
    /// The folder holding its data, socket, config and log.
    let directory: String
    /// Its socket.
    let socketPath: String
    /// Its data directory (the registry and the skill store).
    var dataDirectory: String { directory + "/data" }
    private let executable: String
    private let extraArguments: [String]
    private var process: ChildProcess?

    /// Prepares (does not start) a daemon in `directory`, which is created.
    init(executable: String, directory: String, inferenceURL: String, extraArguments: [String] = []) throws(BenchError) {
        self.executable = executable
        self.directory = directory
        socketPath = directory + "/skillhostd.sock"
        self.extraArguments = ["--config", directory + "/config.json", "--socket", socketPath,
                               "--data-dir", directory + "/data", "--inference-url", inferenceURL] + extraArguments
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        } catch {
            throw BenchError("cannot prepare the daemon's folder \(directory): \(error)")
        }
    }

    /// The daemon's pid; nil while it is stopped.
    var pid: pid_t? { process?.pid }

    /// Starts the daemon and waits (up to `timeout` seconds) until it answers `host.status`.
    /// - Returns: the seconds from start to the first answer.
    @discardableResult
    func start(timeout: Double = 60) throws(BenchError) -> Double {
        let started = MonotonicClock.now()
        let process = try ChildProcess(executable: executable, arguments: extraArguments, logPath: directory + "/skillhostd.log")
        self.process = process
        while true {
            if let client = try? LineClient(socketPath: socketPath), (try? client.call(HostStatusRequest.self)) != nil {
                return MonotonicClock.seconds(since: started)
            }
            guard process.isRunning else {
                throw BenchError("skillhostd exited at start (\(process.commandLine)); its log ends with:\n\(process.logTail())")
            }
            guard MonotonicClock.seconds(since: started) < timeout else {
                throw BenchError("skillhostd did not answer within \(Int(timeout)) s; its log ends with:\n\(process.logTail())")
            }
            usleep(20_000)
        }
    }

    /// Stops the daemon (SIGTERM, as an operator would) and waits for it to be gone.
    func stop() {
        process?.stop()
        process = nil
    }

    /// Installs the skill file at `path` with `isolation`; returns its content hash.
    func install(_ path: String, isolation: String) throws(BenchError) -> String {
        let client = try LineClient(socketPath: socketPath)
        let result = try client.call(InstallSkillRequest.self, ["path": .string(path), "isolation": .string(isolation), "force": true])
        guard let sha256 = result["skill"]?["sha256"]?.stringValue else {
            throw BenchError("skills.install of \(path) answered without skill.sha256: \(result.serialized())")
        }
        return sha256
    }

    /// The address its HTTP API bound (`HOST:PORT`), as its log says; for a daemon started
    /// with `--http-listen`.
    func httpAddress() throws(BenchError) -> String {
        let log = (try? String(contentsOfFile: directory + "/skillhostd.log", encoding: .utf8)) ?? ""
        for line in log.split(separator: "\n") {
            guard let entry = try? JSONValue(parsing: String(line)), entry["msg"]?.stringValue == "the HTTP API listens",
                  let address = entry["address"]?.stringValue else { continue }
            return address
        }
        throw BenchError("skillhostd logged no HTTP address: was it started with --http-listen?")
    }

    /// The daemon's resident set size, in bytes.
    func residentBytes() throws(BenchError) -> Int {
        guard let pid, let bytes = ProcFiles.residentBytes(of: pid) else {
            throw BenchError("cannot read the resident set size of skillhostd: it is not running")
        }
        return bytes
    }

    /// The pids of the daemon's live worker processes that loaded the skill file `sha256`:
    /// its children, or, for a sandboxed worker, the child of its `skillhost-worker-init`.
    func workerPIDs(sha256: String) -> [pid_t] {
        guard let pid else { return [] }
        return ProcFiles.children(of: pid).flatMap { child in
            ProcFiles.maps(child, contain: sha256) ? [child] : ProcFiles.children(of: child).filter { ProcFiles.maps($0, contain: sha256) }
        }
    }
}

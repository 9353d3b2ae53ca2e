import Foundation
import Glibc
import JSON
import Registry
import SkillhostModel
import TestSupport
import Testing

/// API keys go to the inference server in the `Authorization` header and nowhere else: not
/// into the daemon's log, the registry's files, status answers or error messages, even when
/// the server echoes the header back in its error body.
@Suite("API keys stay secret through the real daemon")
struct InferenceSecretsTests {
    /// A key that is easy to find anywhere: a fixed prefix and 32 random hexadecimal digits.
    private struct Secret {
        let key: String
        /// The random part, whose pieces are looked for too, so that a key cut short in an
        /// excerpt is caught as well as a whole one.
        let random: String

        init(_ prefix: String) {
            random = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            key = "sk-\(prefix)-\(random)"
        }

        /// The strings none of which may appear: the key, and the start and end of its random part.
        var fragments: [String] { [key, String(random.prefix(12)), String(random.suffix(12))] }
    }

    /// Writes `key` and a newline to a new file only its owner may read, and returns its path.
    private func keyFile(_ key: String, named name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path(name)
        try Data((key + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, 0o600) == 0)
        return path
    }

    /// Every regular file under `directory`, as bytes (the SQLite database, its -wal and -shm
    /// files, the skill store).
    private func filesUnder(_ directory: String) throws -> [(path: String, bytes: Data)] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [(String, Data)] = []
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files.append((path, try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        return files
    }

    /// The environment process `pid` started with, from `/proc/PID/environ`, one variable a line.
    private func environment(ofProcess pid: Int64) throws -> String {
        String(decoding: try ProcFile.contents("/proc/\(pid)/environ").map { $0 == 0 ? UInt8(ascii: "\n") : $0 }, as: UTF8.self)
    }

    @Test("keys from the environment, a key file and attach reach the server, and appear nowhere else")
    func keysNeverLeak() async throws {
        let server = try await FaultServer.start(mode: .error500)
        defer { server.stop() }
        let refusedPort = try await FaultServer.closedPort()
        let directory = try TemporaryDirectory(prefix: "secrets")
        let environmentSecret = Secret("env")
        let fileSecret = Secret("file")
        let attachedFileSecret = Secret("attachfile")
        let attachedEnvironmentSecret = Secret("attachenv")
        let secrets = [environmentSecret, fileSecret, attachedFileSecret, attachedEnvironmentSecret]
        let configuredKeyFile = try keyFile(fileSecret.key, named: "configured.key", in: directory)
        let attachedKeyFile = try keyFile(attachedFileSecret.key, named: "attached.key", in: directory)
        let config = directory.path("config.json")
        try Data("""
            {"models": {
                "envkey": {"endpoints": [{"url": "\(server.baseURL.absoluteString)", "api_key_env": "SKILLHOST_TEST_ENV_KEY"}]},
                "filekey": {"endpoints": [{"url": "\(server.baseURL.absoluteString)", "api_key_file": "\(configuredKeyFile)"}]},
                "refused": {"endpoints": [
                    {"url": "http://127.0.0.1:\(refusedPort)", "api_key_env": "SKILLHOST_TEST_ENV_KEY"},
                    {"url": "http://127.0.0.1:\(refusedPort)/v1", "api_key_file": "\(configuredKeyFile)"}]}},
             "default_model": "envkey", "inference_retries": 2, "retry_base_delay_ms": 1, "retry_max_delay_ms": 10,
             "health_check_interval_ms": 100, "request_timeout_ms": 5000}
            """.utf8).write(to: URL(fileURLWithPath: config))
        let daemon = try await DaemonHarness(
            inferenceURL: nil, arguments: ["--config", config],
            environment: ["SKILLHOST_TEST_ENV_KEY": environmentSecret.key,
                          "SKILLHOST_TEST_ATTACH_KEY": attachedEnvironmentSecret.key,
                          "UNCONFIGURED_API_KEY": "sk-never-configured", "SKILL_GREETING": "for skills"])
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)
        let attachFile = try await daemon.skillctl("inference", "attach", "attachfile", server.baseURL.absoluteString,
                                                   "--api-key-file", attachedKeyFile)
        #expect(attachFile.status == 0, "\(attachFile.standardError)")
        let attachEnvironment = try await daemon.skillctl("inference", "attach", "attachenv", server.baseURL.absoluteString,
                                                          "--api-key-env", "SKILLHOST_TEST_ATTACH_KEY")
        #expect(attachEnvironment.status == 0, "\(attachEnvironment.standardError)")
        var seen = [attachFile.standardOutput, attachFile.standardError, attachEnvironment.standardOutput,
                    attachEnvironment.standardError]

        // The daemon's own environment area, which /proc shows for its whole life, holds the
        // names of the key variables it read (configured, and attached since) but not their
        // values; the variables it read no key from are left as they were.
        let daemonEnvironment = try environment(ofProcess: Int64(daemon.process.pid))
        #expect(daemonEnvironment.split(separator: "\n").contains("SKILLHOST_TEST_ENV_KEY="), "\(daemonEnvironment)")
        #expect(daemonEnvironment.split(separator: "\n").contains("SKILLHOST_TEST_ATTACH_KEY="), "\(daemonEnvironment)")
        #expect(daemonEnvironment.contains("UNCONFIGURED_API_KEY=sk-never-configured"), "the area was read")
        seen.append(daemonEnvironment)

        // Skill workers started from now on do not inherit a key variable the daemon has read.
        #expect(try await daemon.skillctl("install", try await FixtureSkills.path(for: "reports_pid")).status == 0)
        let reported = try await daemon.skillctl("--json", "run", "reports-pid")
        let output = try reported.json()["output"]
        let reportedPID = try #require(output?["pid"]?.int64Value)
        let pidNamespace = try #require(output?["pid_namespace"]?.stringValue)
        let workerPID = try #require(WorkerProcesses.hostPID(of: daemon.process.pid, reportedPID: reportedPID,
                                                             pidNamespace: pidNamespace))
        let workerEnvironment = try environment(ofProcess: Int64(workerPID))
        #expect(workerEnvironment.contains("SKILLHOST_TEST_ENV_KEY=") == false)
        #expect(workerEnvironment.contains("SKILLHOST_TEST_ATTACH_KEY=") == false)
        #expect(workerEnvironment.contains("UNCONFIGURED_API_KEY=") == false, "only an allowlist reaches skills")
        #expect(workerEnvironment.contains("SKILL_GREETING=for skills"), "SKILL_* variables are for skills")
        #expect(workerEnvironment.contains("PATH="), "the environment was read")
        seen.append(workerEnvironment)

        // Each model's run fails on the server, whose error body holds the Authorization header.
        let expectedKeys = ["envkey": environmentSecret.key, "filekey": fileSecret.key, "refused": nil,
                            "attachfile": attachedFileSecret.key, "attachenv": attachedEnvironmentSecret.key]
        for (model, key) in expectedKeys.sorted(by: { $0.key < $1.key }) {
            let run = try await daemon.skillctl("run", "complete", #"{"prompt":"tell me a secret"}"#, "--model", model)
            #expect(run.status == 7, "model \(model): \(run.standardError)")
            let json = try await daemon.skillctl("--json", "run", "complete", #"{"prompt":"again"}"#, "--model", model,
                                                 "--stream")
            #expect(json.status == 7, "model \(model): \(json.standardError)")
            seen += [run.standardOutput, run.standardError, json.standardOutput, json.standardError]
            if let key {
                #expect(try await server.stats().lastAuthorization == "Bearer \(key)",
                        "the key of \(model) reached the server: the test checks a key that was really used")
                #expect(run.standardError.contains("HTTP 500"), "the error still says what failed: \(run.standardError)")
            } else {
                #expect(run.standardError.contains("127.0.0.1:\(refusedPort)"), "\(run.standardError)")
            }
        }
        // A key file that is not private, and a variable that is not set, are refused by name.
        let exposed = directory.path("exposed.key")
        try Data((attachedFileSecret.key + "\n").utf8).write(to: URL(fileURLWithPath: exposed))
        #expect(chmod(exposed, 0o644) == 0)
        let refusedAttach = try await daemon.skillctl("inference", "attach", "exposed", server.baseURL.absoluteString,
                                                      "--api-key-file", exposed)
        #expect(refusedAttach.status != 0)
        #expect(refusedAttach.standardError.contains("\(exposed) may be read or written by its group or others"),
                "\(refusedAttach.standardError)")
        let unset = try await daemon.skillctl("inference", "attach", "unset", server.baseURL.absoluteString,
                                              "--api-key-env", "SKILLHOST_TEST_NOT_SET")
        #expect(unset.standardError.contains("SKILLHOST_TEST_NOT_SET is not set"), "\(unset.standardError)")
        seen += [refusedAttach.standardError, unset.standardError]

        // Every answer that describes endpoints or runs.
        for arguments in [["status"], ["inference"], ["inference", "models"], ["runs"]] {
            let plain = try await daemon.skillctl(arguments: arguments)
            let json = try await daemon.skillctl(arguments: ["--json"] + arguments)
            seen += [plain.standardOutput, plain.standardError, json.standardOutput, json.standardError]
        }
        let hostStatus = try await daemon.call("host.status")
        let inferenceStatus = try await daemon.call("inference.status")
        #expect(inferenceStatus["endpoints"]?.arrayValue?.count == 6)
        #expect(inferenceStatus["endpoints"]?.arrayValue?.contains { $0["api_key_source"] == "env:SKILLHOST_TEST_ENV_KEY" } == true)
        #expect(inferenceStatus["endpoints"]?.arrayValue?.contains { $0["api_key_source"] == .string("file:\(configuredKeyFile)") } == true)
        seen += [hostStatus.serialized(), inferenceStatus.serialized()]
        for run in try daemon.registry().runs(matching: RunQuery(limit: 100)) {
            #expect(run.status == (run.skillName == "reports-pid" ? .succeeded : .failed))
            seen += [try await daemon.call("runs.get", ["run_id": .int(run.id)]).serialized(),
                     try await daemon.call("runs.logs", ["run_id": .int(run.id)]).serialized()]
        }

        #expect(try await daemon.stop() == .exited(0))
        seen.append(daemon.log())
        let files = try filesUnder(daemon.dataDirectory)
        #expect(files.contains { $0.path.hasSuffix(".sqlite3") })
        for secret in secrets {
            for fragment in secret.fragments {
                #expect(!seen.contains { $0.contains(fragment) }, "a piece of \(secret.key) leaked into an answer or the log")
                for file in files where file.bytes.range(of: Data(fragment.utf8)) != nil {
                    Issue.record("a piece of \(secret.key) is in \(file.path)")
                }
            }
        }
    }

    @Test("a daemon whose key file is exposed, or whose key variable is unset, refuses to start and says which")
    func badKeySourcesStopTheStart() async throws {
        let directory = try TemporaryDirectory(prefix: "badkeys")
        let secret = Secret("exposed")
        let exposed = directory.path("exposed.key")
        try Data((secret.key + "\n").utf8).write(to: URL(fileURLWithPath: exposed))
        #expect(chmod(exposed, 0o640) == 0)
        let cases: [(String, String)] = [
            (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:9", "api_key_file": "\#(exposed)"}]}}}"#,
             "the endpoint m-1: the API key file \(exposed) may be read or written by its group or others (mode 640)"),
            (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:9", "api_key_file": "\#(directory.path("missing"))"}]}}}"#,
             "the endpoint m-1: cannot read the API key file \(directory.path("missing")): No such file or directory"),
            (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:9", "api_key_env": "SKILLHOST_TEST_UNSET_KEY"}]}}}"#,
             "the endpoint m-1: the API key variable SKILLHOST_TEST_UNSET_KEY is not set"),
        ]
        for (index, (config, expected)) in cases.enumerated() {
            let path = directory.path("config-\(index).json")
            try Data(config.utf8).write(to: URL(fileURLWithPath: path))
            let daemon = try ChildProcess(
                try BuildProducts.skillhostd(),
                arguments: ["--config", path, "--socket", directory.path("s\(index).sock"), "--data-dir", directory.path("data")],
                standardOutput: .null, standardError: .pipe)
            let errors = try await daemon.readAll(from: .standardError)
            #expect(try await daemon.wait() == .exited(2))
            #expect(errors.contains(expected), "got: \(errors)")
            #expect(!errors.contains(secret.random.prefix(12)))
        }
    }
}

import Foundation
import JSON
import JSONRPC
import Registry
import TestSupport
import Testing

/// Models and endpoints through the real daemon: the config file's `models`,
/// `inference.attach`, `inference.detach`, `inference.status` and `skillctl inference`.
@Suite("Inference endpoints through the real daemon")
struct InferenceEndpointTests {
    /// Writes `json` as the config file `config.json` of `directory`, and returns its path.
    private func config(_ json: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("config.json")
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("attach, status, runs on each model, and detach, with skillctl and over JSON-RPC")
    func attachStatusDetach() async throws {
        let alphaServer = try await FaultServer.start(mode: .ok)
        defer { alphaServer.stop() }
        let betaServer = try await FaultServer.start(mode: .ok)
        defer { betaServer.stop() }
        let directory = try TemporaryDirectory(prefix: "endpoints")
        let path = try config(#"{"models": {"alpha": {"endpoints": [{"url": "\#(alphaServer.baseURL.absoluteString)"}]}}}"#,
                              in: directory)
        let daemon = try await DaemonHarness(inferenceURL: nil, arguments: ["--config", path], directory: directory)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "complete")).status == 0)

        let before = try await daemon.skillctl("inference")
        #expect(before.status == 0)
        #expect(before.standardOutput.contains("default model  alpha"), "\(before.standardOutput)")
        let alphaLine = try #require(before.standardOutput.split(separator: "\n").first { $0.hasPrefix("alpha-1 ") })
        #expect(alphaLine.contains(alphaServer.baseURL.absoluteString) && alphaLine.contains("healthy")
                && alphaLine.contains("0/1"), "\(alphaLine)")

        let attached = try await daemon.skillctl("inference", "attach", "beta", betaServer.baseURL.absoluteString,
                                                 "--max-concurrent", "2", "--served-model", "beta-served")
        #expect(attached.status == 0, "\(attached.standardError)")
        #expect(attached.standardOutput.hasPrefix("attached beta-1: model beta at \(betaServer.baseURL.absoluteString)"),
                "\(attached.standardOutput)")
        let second = try await daemon.call("inference.attach", ["model": "beta", "url": .string(betaServer.baseURL.absoluteString)])
        #expect(second["name"] == "beta-2", "the next free name of the model")
        #expect(second["max_concurrent"] == 1 && second["served_model"] == .null && second["healthy"] == true)
        _ = try await daemon.call("inference.detach", ["name": "beta-2"])

        // A run goes to the model it names, with the endpoint's served model name; one
        // that names none goes to the default model.
        let beta = try await daemon.skillctl("run", "complete", #"{"prompt":"to beta"}"#, "--model", "beta")
        #expect(beta.status == 0, "\(beta.standardError)")
        #expect(beta.standardOutput.contains("echo: to beta"))
        let betaStats = try await betaServer.stats()
        #expect(betaStats.completionRequests == 1)
        #expect(betaStats.lastCompletionBody?["model"] as? String == "beta-served")
        #expect(try await daemon.skillctl("run", "complete", #"{"prompt":"to alpha"}"#).status == 0)
        #expect(try await alphaServer.stats().completionRequests == 1)
        let runs = try daemon.registry().runs(matching: RunQuery())
        #expect(runs.map(\.model) == ["alpha", "beta"], "each run records the model it ran with")

        let status = try await daemon.call("inference.status")
        #expect(status["default_model"] == "alpha")
        #expect(status["models"] == ["alpha", "beta"])
        let betaStatus = try #require(status["endpoints"]?.arrayValue?.first { $0["name"] == "beta-1" })
        #expect(betaStatus["model"] == "beta" && betaStatus["served_model"] == "beta-served")
        #expect(betaStatus["max_concurrent"] == 2 && betaStatus["outstanding"] == 0)
        #expect(betaStatus["requests"] == 1 && betaStatus["failures"] == 0 && betaStatus["last_error"] == .null)
        #expect(betaStatus["latency_p50_ms"]?.doubleValue != nil && betaStatus["latency_p99_ms"]?.doubleValue != nil)
        #expect(betaStatus["api_key_source"] == .null)
        let hostStatus = try await daemon.call("host.status")
        #expect(hostStatus["inference"]?["endpoints"]?.arrayValue?.count == 2)

        let models = try await daemon.skillctl("inference", "models")
        #expect(models.standardOutput.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            == ["MODEL ENDPOINTS HEALTHY DEFAULT", "alpha 1 1 yes", "beta 1 1"], "\(models.standardOutput)")
        let table = try await daemon.skillctl("inference", "status")
        #expect(table.standardOutput.contains("beta-1") && table.standardOutput.contains("0/2"), "\(table.standardOutput)")

        let duplicate = try await daemon.skillctl("inference", "attach", "beta", betaServer.baseURL.absoluteString,
                                                  "--name", "beta-1")
        #expect(duplicate.status == 5, "conflict: \(duplicate.standardError)")
        #expect(duplicate.standardError.contains("\"beta-1\" is already attached"))

        let detached = try await daemon.skillctl("inference", "detach", "beta-1")
        #expect(detached.status == 0, "\(detached.standardError)")
        #expect(detached.standardOutput.hasPrefix("detached beta-1 (model beta"))
        let gone = try await daemon.skillctl("run", "complete", #"{"prompt":"x"}"#, "--model", "beta")
        #expect(gone.status == 2 && gone.standardError.contains("no endpoints left"), "\(gone.standardError)")
        let missing = try await daemon.skillctl("inference", "detach", "beta-1")
        #expect(missing.status == 4 && missing.standardError.contains("attached: alpha-1"), "\(missing.standardError)")
        #expect(try daemon.registry().runs(matching: RunQuery()).count == 2, "refused runs are not recorded")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("an unknown model is refused before the run starts, listing the known ones")
    func unknownModel() async throws {
        let directory = try TemporaryDirectory(prefix: "unknown")
        let path = try config("""
            {"models": {"gemma": {"endpoints": [{"url": "http://127.0.0.1:9"}]},
                        "llama": {"endpoints": [{"url": "http://127.0.0.1:9/v1"}]}},
             "default_model": "gemma"}
            """, in: directory)
        let daemon = try await DaemonHarness(inferenceURL: nil, arguments: ["--config", path], directory: directory)
        #expect(try await daemon.skillctl("install", try BuildProducts.plugin(named: "hello")).status == 0)
        let run = try await daemon.skillctl("run", "hello", #"{"name":"x"}"#, "--model", "mistral")
        #expect(run.status == 2, "invalid_params: the model named is wrong")
        #expect(run.standardError.contains("unknown model \"mistral\": known models: gemma, llama"), "\(run.standardError)")
        let json = try await daemon.skillctl("--json", "run", "hello", "--model", "mistral")
        #expect(try JSONValue(parsing: json.standardError)["data"]?["kind"] == "invalid_params")
        #expect(try daemon.registry().runs(matching: RunQuery()).isEmpty)
        // A skill that never calls inference runs with the default model named in its record.
        #expect(try await daemon.skillctl("run", "hello", #"{"name":"x"}"#).status == 0)
        #expect(try daemon.registry().runs(matching: RunQuery()).first?.model == "gemma")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("attach refuses bad URLs and key sources with messages that name them")
    func attachValidation() async throws {
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)
        let credentials = try await daemon.skillctl("inference", "attach", "m", "http://user:pw@127.0.0.1:9")
        #expect(credentials.status == 2)
        #expect(credentials.standardError.contains("without a user name or password"), "\(credentials.standardError)")
        #expect(!credentials.standardError.contains("pw@"))
        let status = try await daemon.call("inference.status")
        #expect(status["models"] == ["default"], "the shorthand is one model named default")
        do {
            _ = try await daemon.call("inference.attach", ["model": "m", "url": "http://127.0.0.1:9", "api_key_file": "key"])
            Issue.record("a relative key file was accepted")
        } catch let JSONRPCClientError.server(error) {
            #expect(error.kind == "invalid_params")
            #expect(error.message.contains("must be given as an absolute path"), "\(error.message)")
        }
        do {
            _ = try await daemon.call("inference.attach", ["model": "m", "url": "http://127.0.0.1:9", "colour": "red"])
            Issue.record("an unknown parameter was accepted")
        } catch let JSONRPCClientError.server(error) {
            #expect(error.kind == "invalid_params")
        }
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("attach probes the server first: one that does not answer is refused, or with --force attached as unhealthy")
    func attachProbes() async throws {
        let refusing = try RefusingPort()
        let url = "http://127.0.0.1:\(refusing.port)"
        let daemon = try await DaemonHarness(inferenceURL: URL(string: "http://127.0.0.1:9")!)

        let refused = try await daemon.skillctl("inference", "attach", "down", url)
        #expect(refused.status == 7, "inference_failed: \(refused.standardError)")
        #expect(refused.standardError.hasPrefix("error: not attached: "), "\(refused.standardError)")
        #expect(refused.standardError.contains("127.0.0.1:\(refusing.port)") && refused.standardError.contains("--force"),
                "\(refused.standardError)")
        let status = try await daemon.call("inference.status")
        #expect(status["models"] == ["default"], "nothing was attached: \(status)")

        let forced = try await daemon.skillctl("inference", "attach", "down", url, "--force")
        #expect(forced.status == 0, "\(forced.standardError)")
        #expect(forced.standardOutput.hasPrefix("attached down-1: model down at "), "\(forced.standardOutput)")
        #expect(forced.standardError.hasPrefix("warning: down-1 does not answer now ("), "\(forced.standardError)")
        let endpoints = try await daemon.call("inference.status")["endpoints"]?.arrayValue ?? []
        let attached = try #require(endpoints.first { $0["name"] == "down-1" }, "\(endpoints)")
        #expect(attached["healthy"] == false && attached["last_error"] != .null, "\(attached)")
        #expect(try await daemon.stop() == .exited(0))
    }
}

@testable import DaemonRPC
import Foundation
import Glibc
import JSONRPC
@testable import SkillDaemon
import TestSupport
import Testing

/// The configuration of models and endpoints: the config file's `models`, the
/// single-endpoint shorthand, and the API keys read from the environment or files.
@Suite("Daemon configuration of models and endpoints")
struct DaemonConfigurationTests {
    /// A configuration after applying `file` as a config file, and the directory it is in.
    private func configuration(file: String, in directory: TemporaryDirectory? = nil) throws -> DaemonConfiguration {
        let directory = try directory ?? TemporaryDirectory(prefix: "config")
        let path = directory.path("config.json")
        try Data(file.utf8).write(to: URL(fileURLWithPath: path))
        var configuration = DaemonConfiguration(environment: [:])
        try configuration.apply(configFile: path)
        return configuration
    }

    /// The message of the error `body` throws, or nil when it throws none.
    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Writes `contents` to a new file with permission bits `mode`, and returns its path.
    private func keyFile(_ contents: String, mode: mode_t, in directory: TemporaryDirectory) throws -> String {
        let path = directory.path("key-\(UUID().uuidString)")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test("with nothing configured, one model named default at http://127.0.0.1:8080")
    func defaults() throws {
        let models = try DaemonConfiguration(environment: [:]).inferenceModels()
        #expect(models.defaultModel == "default")
        #expect(models.models == [ModelConfiguration(name: "default", endpoints: [
            EndpointConfiguration(name: "default-1", url: URL(string: "http://127.0.0.1:8080")!),
        ])])
    }

    @Test("the shorthand names its model after `model`, which is also the served model")
    func shorthand() throws {
        var configuration = DaemonConfiguration(environment: [:])
        try configuration.apply(key: "inference_url", value: "https://api.example.test/v1", source: "command line")
        try configuration.apply(key: "model", value: "gpt-small", source: "command line")
        try configuration.apply(key: "api_key_env", value: "EXAMPLE_KEY", source: "command line")
        let models = try configuration.inferenceModels()
        #expect(models.defaultModel == "gpt-small")
        #expect(models.models == [ModelConfiguration(name: "gpt-small", endpoints: [
            EndpointConfiguration(name: "gpt-small-1", url: URL(string: "https://api.example.test/v1")!,
                                  servedModel: "gpt-small", apiKey: .environment(variable: "EXAMPLE_KEY")),
        ])])
    }

    @Test("models with several endpoints: names, served models, keys and limits as written, defaults otherwise")
    func models() throws {
        let configuration = try configuration(file: """
            {"models": {
                "gemma": {"endpoints": [
                    {"name": "gemma-a", "url": "http://127.0.0.1:8080", "served_model": "gemma-3-270m",
                     "api_key_env": "GEMMA_KEY", "max_concurrent": 4},
                    {"url": "http://127.0.0.1:8081", "api_key_file": "/etc/skillhost/gemma.key"}]},
                "llama": {"endpoints": [{"url": "https://llama.example.test"}]}},
             "default_model": "gemma", "inference_retries": 5, "retry_base_delay_ms": 20,
             "retry_max_delay_ms": 400, "health_check_interval_ms": 250}
            """)
        let models = try configuration.inferenceModels()
        #expect(models.defaultModel == "gemma")
        #expect(models.models == [
            ModelConfiguration(name: "gemma", endpoints: [
                EndpointConfiguration(name: "gemma-a", url: URL(string: "http://127.0.0.1:8080")!, servedModel: "gemma-3-270m",
                                      apiKey: .environment(variable: "GEMMA_KEY"), maximumConcurrentRequests: 4),
                EndpointConfiguration(name: "gemma-2", url: URL(string: "http://127.0.0.1:8081")!,
                                      apiKey: .file(path: "/etc/skillhost/gemma.key")),
            ]),
            ModelConfiguration(name: "llama", endpoints: [
                EndpointConfiguration(name: "llama-1", url: URL(string: "https://llama.example.test")!),
            ]),
        ])
        #expect(configuration.maximumInferenceAttempts == 5)
        #expect(configuration.inferenceRetryBaseDelay == .milliseconds(20))
        #expect(configuration.inferenceRetryMaximumDelay == .milliseconds(400))
        #expect(configuration.healthCheckInterval == .milliseconds(250))
    }

    @Test("without default_model, the only model is the default, and of several none is")
    func implicitDefaultModel() throws {
        let one = try configuration(file: #"{"models": {"solo": {"endpoints": [{"url": "http://127.0.0.1:1"}]}}}"#)
        #expect(try one.inferenceModels().defaultModel == "solo")
        let two = try configuration(file: """
            {"models": {"a": {"endpoints": [{"url": "http://127.0.0.1:1"}]}, "b": {"endpoints": [{"url": "http://127.0.0.1:2"}]}}}
            """)
        #expect(try two.inferenceModels().defaultModel == nil)
        let none = try configuration(file: #"{"models": {}}"#)
        #expect(try none.inferenceModels() == InferenceModels(models: [], defaultModel: nil))
    }

    @Test("each mistake in models is refused, naming the place and what is expected", arguments: [
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1", "urll": "x"}]}}}"#,
         "`models.m.endpoints[0]`: unknown key `urll`; an endpoint has name, url, served_model, api_key_env, api_key_file, max_concurrent"),
        (#"{"models": {"m": {"endpoints": [{"name": "m-a"}]}}}"#,
         "`models.m.endpoints[0]`: `url` is missing"),
        (#"{"models": {"m": {"endpoints": [{"url": "ftp://127.0.0.1"}]}}}"#,
         "`models.m.endpoints[0]`: `url` must be an http:// or https:// URL with a host"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://user:secret@127.0.0.1"}]}}}"#,
         "`url` must be a URL without a user name or password"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1"}, {"name": "m-1", "url": "http://127.0.0.1:2"}]}}}"#,
         "`models.m.endpoints[1]`: the endpoint name \"m-1\" is already used by `models.m.endpoints[0]`"),
        (#"{"models": {"a": {"endpoints": [{"name": "x", "url": "http://127.0.0.1:1"}]}, "b": {"endpoints": [{"name": "x", "url": "http://127.0.0.1:2"}]}}}"#,
         "`models.b.endpoints[0]`: the endpoint name \"x\" is already used by `models.a.endpoints[0]`"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1", "api_key_env": "K", "api_key_file": "/k"}]}}}"#,
         "give `api_key_env` or `api_key_file`, not both"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1", "api_key_file": "keys/k"}]}}}"#,
         "the API key file must be given as an absolute path, starting with /"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1", "api_key_env": "sk-pasted-4242"}]}}}"#,
         "give the name of the variable that holds the key, not the key itself"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1", "max_concurrent": 0}]}}}"#,
         "`max_concurrent` must be a whole number, at least 1, not 0"),
        (#"{"models": {"m": {"endpoints": []}}}"#,
         "`models.m.endpoints` must be a non-empty array of endpoints"),
        (#"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1"}], "weight": 2}}}"#,
         "`models.m`: unknown key `weight`; a model has only `endpoints`"),
        (#"{"models": {"two words": {"endpoints": [{"url": "http://127.0.0.1:1"}]}}}"#,
         "`models.two words`: a model name must be non-empty and without spaces"),
        (#"{"models": [{"url": "http://127.0.0.1:1"}]}"#,
         "`models` must be an object whose keys name the models"),
        (#"{"modles": {}}"#,
         "unknown setting `modles`; known: socket, data_dir, models, default_model"),
        (#"{"inference_retries": 0}"#,
         "`inference_retries` must be a whole number, at least 1, not 0"),
    ])
    func invalidModels(file: String, expected: String) throws {
        let text = message { _ = try configuration(file: file) }
        #expect(text?.contains(expected) == true, "got: \(text ?? "no error")")
        #expect(text?.contains("config.json: ") == true, "the error names the file: \(text ?? "")")
        #expect(text?.contains("sk-pasted") == false && text?.contains("secret@") == false, "no secret is repeated")
    }

    @Test("a key or a password where a name or a URL belongs is refused without being repeated")
    func secretsInTheWrongPlace() {
        var configuration = DaemonConfiguration(environment: [:])
        let pasted = message { try configuration.apply(key: "api_key_env", value: "sk-live-0123456789", source: "command line") }
        #expect(pasted?.contains("not the key itself") == true, "got: \(pasted ?? "no error")")
        #expect(pasted?.contains("0123456789") == false)
        let password = message {
            try configuration.apply(key: "inference_url", value: "https://me:hunter2@api.example.test", source: "command line")
        }
        #expect(password?.contains("without a user name or password") == true, "got: \(password ?? "no error")")
        #expect(password?.contains("hunter2") == false)
        #expect(throws: APIKeyError.notVariableName) {
            try APIKeySource.environment(variable: "sk live").read(environment: ["sk live": "x"])
        }
        #expect(APIKeySource.isVariableName("OPENAI_API_KEY") && APIKeySource.isVariableName("_k1"))
        #expect(!APIKeySource.isVariableName("1KEY") && !APIKeySource.isVariableName("sk-1") && !APIKeySource.isVariableName(""))
    }

    @Test("default_model must be one of the models, and the error lists them")
    func unknownDefaultModel() throws {
        let configuration = try configuration(file: """
            {"models": {"a": {"endpoints": [{"url": "http://127.0.0.1:1"}]}, "b": {"endpoints": [{"url": "http://127.0.0.1:2"}]}},
             "default_model": "c"}
            """)
        let text = message { _ = try configuration.inferenceModels() }
        #expect(text?.contains("`default_model` is \"c\", which is not a configured model; the models are a, b") == true,
                "got: \(text ?? "no error")")
        let shorthand = message {
            var configuration = DaemonConfiguration(environment: [:])
            try configuration.apply(key: "model", value: "gemma", source: "command line")
            try configuration.apply(key: "default_model", value: "llama", source: "command line")
            _ = try configuration.inferenceModels()
        }
        #expect(shorthand?.contains("the models are gemma") == true, "got: \(shorthand ?? "no error")")
    }

    @Test("models and the shorthand together are refused, naming both and where each was set")
    func modelsAndShorthand() throws {
        let inFile = try configuration(file: """
            {"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1"}]}}, "inference_url": "http://127.0.0.1:2"}
            """)
        let text = message { _ = try inFile.inferenceModels() }
        #expect(text?.contains("`models` and `inference_url`") == true, "got: \(text ?? "no error")")

        var withFlag = try configuration(file: #"{"models": {"m": {"endpoints": [{"url": "http://127.0.0.1:1"}]}}}"#)
        try withFlag.apply(key: "inference_url", value: "http://127.0.0.1:2", source: "command line")
        let flagText = message { _ = try withFlag.inferenceModels() }
        #expect(flagText?.contains("`models` and `inference_url` (command line) are both given") == true,
                "got: \(flagText ?? "no error")")
    }

    @Test("an API key is read from the daemon's environment, trimmed, and a missing one names the variable")
    func environmentKeys() throws {
        let source = APIKeySource.environment(variable: "SKILLHOST_TEST_KEY")
        #expect(try source.read(environment: ["SKILLHOST_TEST_KEY": "sk-env-123\n"]) == "sk-env-123")
        #expect(throws: APIKeyError.unsetVariable("SKILLHOST_TEST_KEY")) { try source.read(environment: [:]) }
        #expect(throws: APIKeyError.emptyVariable("SKILLHOST_TEST_KEY")) {
            try source.read(environment: ["SKILLHOST_TEST_KEY": " \n"])
        }
        let injected = message { _ = try source.read(environment: ["SKILLHOST_TEST_KEY": "sk-1\r\nX-Evil: yes"]) }
        #expect(injected?.contains("control character") == true)
        #expect(injected?.contains("sk-1") == false, "the message never holds the key")

        var configuration = DaemonConfiguration(environment: [:])
        try configuration.apply(key: "api_key_env", value: "SKILLHOST_TEST_KEY", source: "command line")
        let models = try configuration.inferenceModels()
        #expect(try configuration.apiKeys(for: models, environment: ["SKILLHOST_TEST_KEY": "sk-env-123"]) == ["default-1": "sk-env-123"])
        let unset = message { _ = try configuration.apiKeys(for: models, environment: [:]) }
        #expect(unset == "command line: the endpoint default-1: the API key variable SKILLHOST_TEST_KEY is not set in "
            + "skillhostd's environment: export it before starting skillhostd")
    }

    @Test("an API key file is read without its trailing newline, and must be private")
    func fileKeys() throws {
        let directory = try TemporaryDirectory(prefix: "keys")
        let secret = "sk-file-secret-4242"
        let good = try keyFile(secret + "\n", mode: 0o600, in: directory)
        #expect(try APIKeySource.file(path: good).read() == secret)
        #expect(try APIKeySource.file(path: try keyFile(secret, mode: 0o400, in: directory)).read() == secret)

        let exposed = try keyFile(secret + "\n", mode: 0o644, in: directory)
        let exposedText = message { _ = try APIKeySource.file(path: exposed).read() }
        #expect(exposedText == "the API key file \(exposed) may be read or written by its group or others (mode 644): "
            + "make it private with chmod 600 \(exposed)")
        let groupWritable = try keyFile(secret, mode: 0o620, in: directory)
        #expect(throws: APIKeyError.exposedFile(groupWritable, mode: 0o620)) { try APIKeySource.file(path: groupWritable).read() }

        let missing = directory.path("no-such-key")
        #expect(message { _ = try APIKeySource.file(path: missing).read() }
            == "cannot read the API key file \(missing): No such file or directory")
        #expect(throws: APIKeyError.notRegularFile(directory.path)) { try APIKeySource.file(path: directory.path).read() }
        let empty = try keyFile("\n", mode: 0o600, in: directory)
        #expect(throws: APIKeyError.emptyFile(empty)) { try APIKeySource.file(path: empty).read() }
        #expect(throws: APIKeyError.relativePath) { try APIKeySource.file(path: "key").read() }

        // A client may name only its own key files (the daemon runs as this test's user, so
        // only another uid is refused).
        let stranger = getuid() == 0 ? UInt32(65534) : getuid() &+ 1
        #expect(throws: APIKeyError.notCallersFile(good, uid: stranger)) {
            try APIKeySource.file(path: good).read(callerUID: stranger)
        }
        #expect(try APIKeySource.file(path: good).read(callerUID: getuid()) == secret)
        #expect(exposedText?.contains(secret) == false, "no message holds the key")
    }

    @Test("the config file's key sources are checked when the keys are read, naming the endpoint and the file")
    func keysFromModels() throws {
        let directory = try TemporaryDirectory(prefix: "keys")
        let key = try keyFile("sk-models-77\n", mode: 0o644, in: directory)
        let configuration = try configuration(file: """
            {"models": {"m": {"endpoints": [{"name": "m-env", "url": "http://127.0.0.1:1", "api_key_env": "M_KEY"},
                                            {"name": "m-file", "url": "http://127.0.0.1:2", "api_key_file": "\(key)"}]}}}
            """, in: directory)
        let models = try configuration.inferenceModels()
        let text = message { _ = try configuration.apiKeys(for: models, environment: ["M_KEY": "sk-env"]) }
        #expect(text?.contains("the endpoint m-file: the API key file \(key) may be read or written by its group or others") == true,
                "got: \(text ?? "no error")")
        #expect(text?.contains("sk-models-77") == false)
        #expect(chmod(key, 0o600) == 0)
        #expect(try configuration.apiKeys(for: models, environment: ["M_KEY": "sk-env"])
            == ["m-env": "sk-env", "m-file": "sk-models-77"])
    }

    @Test("source descriptions show where a key comes from, never the key")
    func sourceDescriptions() {
        #expect(APIKeySource.environment(variable: "OPENAI_API_KEY").description == "env:OPENAI_API_KEY")
        #expect(APIKeySource.file(path: "/etc/skillhost/k").description == "file:/etc/skillhost/k")
    }
}

import JSON
import JSONRPC
import SkillhostProtocol

/// `skillctl inference attach MODEL URL ...`: adds an endpoint until the daemon stops.
struct AttachEndpointCommand: DaemonRequestCommand, Equatable {
    static let model = Argument("MODEL", kind: .model,
                                help: "the model it serves: a new one, or one more endpoint of a known one")
    static let url = Argument(kind: .url, help: "the OpenAI-compatible server's base URL")
    static let name = Option("--name", kind: .text("N"), help: "the endpoint's name (default: MODEL-<n>)")
    static let servedModel = Option("--served-model", kind: .text("M"),
                                    help: "the model name sent to the server (default: the server's own)")
    static let apiKeyEnvironmentVariable = Option("--api-key-env", kind: .text("VAR"),
                                                  help: "send the key held in VAR, a variable of the DAEMON's environment")
    static let apiKeyFile = Option("--api-key-file", kind: .file(), help: """
        send the key in PATH, read by the daemon; it must be yours, and private (chmod 600)
        """)
    static let maximumConcurrentRequests = Option(
        "--max-concurrent", kind: .wholeNumber(in: 1...Int(Int32.max), expectation: "a whole number, at least 1"),
        help: "requests sent to it at once (default: 1)")
    static let force = Flag("--force", help: """
        attach it even when it does not answer now: it gets requests once a health check passes
        """)

    static let declaration = CommandDeclaration(
        name: "attach", abstract: "adds an endpoint until the daemon stops",
        discussion: """
            Attaches an OpenAI-compatible server at URL as an endpoint of MODEL (a new model,
            or one more endpoint of a known one). It lasts until skillhostd stops: to keep
            it, add it to `models` in the daemon's config file. API keys are never shown,
            only where they come from (env:VAR or file:PATH).

            The daemon first probes the server as its health checks do (GET URL/v1/models):
            one that does not answer is not attached, and skillctl exits with status 7
            naming the failure. With --force it is attached anyway, as unhealthy: skillctl
            says so on standard error, and exits 0.
            """,
        arguments: [model, url],
        options: [name, servedModel, apiKeyEnvironmentVariable, apiKeyFile, maximumConcurrentRequests, force],
        exclusiveOptions: [[apiKeyEnvironmentVariable, apiKeyFile]])

    /// The logical model the endpoint serves.
    var model: String
    /// The server's base URL.
    var url: String
    /// `--name`; `nil`: the daemon names it `<model>-<n>`.
    var name: String?
    /// `--served-model`; `nil`: the server's own model.
    var servedModel: String?
    /// `--api-key-env`: a variable of the daemon's environment.
    var apiKeyEnvironmentVariable: String?
    /// `--api-key-file`: a file the daemon reads, as typed (made absolute when sent).
    var apiKeyFile: String?
    /// `--max-concurrent`; `nil`: the daemon's default (1).
    var maximumConcurrentRequests: Int?
    /// `--force`: attach it even when it does not answer the probe.
    var force: Bool

    init(_ arguments: ParsedArguments) throws(UsageError) {
        model = try arguments.required(Self.model)
        url = try arguments.required(Self.url)
        name = try arguments.value(Self.name)
        servedModel = try arguments.value(Self.servedModel)
        apiKeyEnvironmentVariable = try arguments.value(Self.apiKeyEnvironmentVariable)
        apiKeyFile = try arguments.value(Self.apiKeyFile)
        maximumConcurrentRequests = try arguments.value(Self.maximumConcurrentRequests)
        force = arguments.isSet(Self.force)
    }

    func request(in context: CommandContext) -> AttachEndpointRequest {
        AttachEndpointRequest(
            model: model, url: url, name: name, servedModel: servedModel,
            apiKeyEnvironmentVariable: apiKeyEnvironmentVariable, apiKeyFile: apiKeyFile.map(context.absolute),
            maximumConcurrentRequests: maximumConcurrentRequests.map(Int64.init), force: force ? true : nil)
    }

    func render(_ result: JSONValue) -> String {
        InferenceOutput.renderAttached(result)
    }

    /// An endpoint attached by `--force` that does not answer.
    func warning(about result: JSONValue) -> String? {
        guard result["healthy"]?.boolValue == false else { return nil }
        return "\(Formatting.plain(result["name"])) does not answer now (\(Formatting.plain(result["last_error"]))); "
            + "it gets requests once a health check passes"
    }
}

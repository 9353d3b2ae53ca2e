import Foundation
import HTTPServer
import InferenceDriver
import ProcessIsolation

/// A configuration and what the daemon makes of it before it serves with it: its models
/// (the shorthand turned into one), the API key of every endpoint that has one, read now,
/// its sandbox settings checked, and the HTTP API's certificate and key, read now. What the
/// daemon starts with, and what a reload must make of the config file before anything of it
/// is applied.
///
/// Its description and mirror name the endpoints that have a key, never a key.
public struct ResolvedConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The settings.
    public let configuration: DaemonConfiguration
    /// The models and the default model.
    public let models: InferenceModels
    /// The API key of each endpoint that has one, by endpoint name.
    let keys: [String: String]
    /// The HTTP API's TLS context, from `http_tls_cert` and `http_tls_key`; nil for plain HTTP.
    public let httpTLS: TLSServerContext?

    /// Resolves `configuration`: its models, then the API keys of their endpoints from
    /// `environment` (the daemon's as it started) or their files, then its sandbox user,
    /// then the HTTP API's certificate and key from their files.
    ///
    /// - Throws: ``ConfigurationError`` naming the setting, the endpoint, the variable or
    ///   the file that is wrong; never a key.
    public init(_ configuration: DaemonConfiguration, environment: [String: String]) throws(ConfigurationError) {
        self.configuration = configuration
        models = try configuration.inferenceModels()
        keys = try configuration.apiKeys(for: models, environment: environment)
        do throws(WorkerSandboxSettings.UnknownUser) {
            try configuration.processIsolation.sandbox.validate()
        } catch {
            throw ConfigurationError(source: configuration.sources["sandbox_user"] ?? "the default sandbox_user",
                                     message: error.description)
        }
        httpTLS = try configuration.httpTLSContext()
    }

    /// This configuration with `socketPath` as its `socket` setting: the socket a service
    /// manager passed, which the daemon serves whatever its settings say.
    public func serving(socketPath: String) -> ResolvedConfiguration {
        var configuration = configuration
        configuration.socketPath = socketPath
        return ResolvedConfiguration(configuration: configuration, models: models, keys: keys, httpTLS: httpTLS)
    }

    /// A resolved configuration as given.
    init(configuration: DaemonConfiguration, models: InferenceModels, keys: [String: String], httpTLS: TLSServerContext?) {
        self.configuration = configuration
        self.models = models
        self.keys = keys
        self.httpTLS = httpTLS
    }

    /// The settings, the models and the endpoints that have a key.
    public var description: String {
        "ResolvedConfiguration(\(configuration), \(models), keys of: \(keys.keys.sorted()))"
    }

    /// The settings, the models and the endpoints that have a key.
    public var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration, "models": models, "endpoints with a key": keys.keys.sorted()])
    }

    /// Removes the variables the API keys came from from the process's environment, and
    /// overwrites their values where `/proc/PID/environ` shows them
    /// (``APIKeySource/withdrawFromEnvironment()``).
    public func withdrawKeysFromEnvironment() {
        for (_, endpoint) in models.endpoints {
            endpoint.apiKey?.withdrawFromEnvironment()
        }
    }

    /// How the router retries and probes under these settings.
    public var routingPolicy: RoutingPolicy {
        RoutingPolicy(
            maximumAttempts: configuration.maximumInferenceAttempts, baseRetryDelay: configuration.inferenceRetryBaseDelay,
            maximumRetryDelay: configuration.inferenceRetryMaximumDelay, healthCheckInterval: configuration.healthCheckInterval)
    }

    /// Every endpoint of every model as the router attaches it, with its key and the
    /// configured timeouts.
    public var routedEndpoints: [RoutedEndpoint] {
        models.endpoints.map { routed($0.endpoint, of: $0.model) }
    }

    /// `endpoint` of `model` as the router attaches it.
    private func routed(_ endpoint: EndpointConfiguration, of model: String) -> RoutedEndpoint {
        let server = InferenceEndpoint(
            baseURL: endpoint.url, defaultModel: endpoint.servedModel, apiKey: keys[endpoint.name],
            connectTimeout: configuration.inferenceConnectTimeout, requestTimeout: configuration.inferenceRequestTimeout)
        return RoutedEndpoint(name: endpoint.name, model: model, endpoint: server,
                              maximumConcurrentRequests: endpoint.maximumConcurrentRequests,
                              apiKeySource: endpoint.apiKey?.description)
    }

    /// What the router must do to go from this configuration's endpoints to `proposed`'s:
    /// detach those it drops, attach those it adds, and replace those it changes (their
    /// URL, served model, key or its source, concurrency, model, or the timeouts of all).
    /// Endpoints attached at run time are none of these, and stay.
    public func routerChange(to proposed: ResolvedConfiguration) -> RouterChange {
        let before = Dictionary(uniqueKeysWithValues: routedEndpoints.map { ($0.name, $0) })
        let after = proposed.routedEndpoints
        let kept = after.filter { endpoint in before[endpoint.name].map { Self.same($0, endpoint) } ?? false }
        let keptNames = Set(kept.map(\.name))
        return RouterChange(
            detaching: before.keys.filter { !keptNames.contains($0) }.sorted(),
            attaching: after.filter { !keptNames.contains($0.name) },
            defaultModel: proposed.models.defaultModel, policy: proposed.routingPolicy)
    }

    /// Whether the router may keep `endpoint` attached as `replacement` describes it.
    private static func same(_ endpoint: RoutedEndpoint, _ replacement: RoutedEndpoint) -> Bool {
        let (server, other) = (endpoint.endpoint, replacement.endpoint)
        return endpoint.model == replacement.model
            && endpoint.maximumConcurrentRequests == replacement.maximumConcurrentRequests
            && endpoint.apiKeySource == replacement.apiKeySource
            && server.baseURL == other.baseURL && server.defaultModel == other.defaultModel && server.apiKey == other.apiKey
            && server.connectTimeout == other.connectTimeout && server.requestTimeout == other.requestTimeout
    }
}

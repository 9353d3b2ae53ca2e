import Foundation
import JSON

extension DaemonConfiguration {
    /// The URL of the one inference server when neither `models` nor `inference_url` is given.
    public static let defaultInferenceURL = URL(string: "http://127.0.0.1:8080")!

    /// The name of the one model of the single-endpoint shorthand when `model` is not given.
    public static let shorthandModelName = "default"

    /// The keys of an endpoint in the config file's `models`.
    static let endpointKeys = ["name", "url", "served_model", "api_key_env", "api_key_file", "max_concurrent"]

    /// The keys that make up the single-endpoint shorthand.
    static let shorthandKeys = ["inference_url", "model", "api_key_env"]

    /// The models the daemon starts with: `models`, or the one model the shorthand
    /// describes (named after `model`, else `default`; served as `model`, else as the
    /// server's own; at `inference_url`, else `http://127.0.0.1:8080`), and the default
    /// model (`default_model`; else the only model, if there is one).
    ///
    /// - Throws: when `models` and a shorthand key are both given, or `default_model`
    ///   names no model.
    public func inferenceModels() throws(ConfigurationError) -> InferenceModels {
        let resolved: [ModelConfiguration]
        if let models {
            let shorthand = Self.shorthandKeys.filter { sources[$0] != nil }
            if let first = shorthand.first {
                throw ConfigurationError(
                    source: sources["models"] ?? "models",
                    message: "`models` and `\(spelling(of: first))` (\(sources[first] ?? "")) are both given: describe every "
                        + "endpoint in `models` and drop \(shorthand.map { "`\(spelling(of: $0))`" }.joined(separator: ", ")) "
                        + "(the shorthand for a single endpoint)")
            }
            resolved = models
        } else {
            let name = model ?? Self.shorthandModelName
            let endpoint = EndpointConfiguration(
                name: "\(name)-1", url: inferenceURL ?? Self.defaultInferenceURL, servedModel: model,
                apiKey: apiKeyEnvironmentVariable.map { .environment(variable: $0) })
            resolved = [ModelConfiguration(name: name, endpoints: [endpoint])]
        }
        let names = resolved.map(\.name)
        if let defaultModel, !names.contains(defaultModel) {
            throw ConfigurationError(
                source: sources["default_model"] ?? "default_model",
                message: "`\(spelling(of: "default_model"))` is \"\(defaultModel)\", which is not a configured model; "
                    + (names.isEmpty ? "no model is configured" : "the models are \(names.joined(separator: ", "))"))
        }
        return InferenceModels(models: resolved, defaultModel: defaultModel ?? (names.count == 1 ? names[0] : nil))
    }

    /// Reads the API key of every endpoint of `models` that has one, from the environment
    /// variable or the file its configuration names. The keys stay in memory: nothing
    /// writes them anywhere but into the `Authorization` header of inference requests.
    ///
    /// - Returns: the keys by endpoint name.
    /// - Throws: naming the endpoint and the variable or file that failed, never a key.
    public func apiKeys(for models: InferenceModels,
                        environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigurationError) -> [String: String]
    {
        var keys: [String: String] = [:]
        for (_, endpoint) in models.endpoints {
            guard let source = endpoint.apiKey else { continue }
            do {
                keys[endpoint.name] = try source.read(environment: environment)
            } catch {
                throw ConfigurationError(
                    source: sources["models"] ?? sources["api_key_env"] ?? "configuration",
                    message: "the endpoint \(endpoint.name): \(error)")
            }
        }
        return keys
    }

    /// The config file's `models`: an object whose keys name the models, each
    /// `{"endpoints": [{"url": ..., ...}, ...]}`.
    package static func models(from value: JSONValue, source: String) throws(ConfigurationError) -> [ModelConfiguration] {
        func fail(_ message: String) -> ConfigurationError {
            ConfigurationError(source: source, message: message)
        }
        guard case let .object(entries) = value else {
            throw fail("`models` must be an object whose keys name the models, such as "
                + #"{"gemma": {"endpoints": [{"url": "http://127.0.0.1:8080"}]}}, not \#(value.serialized())"#)
        }
        var models: [ModelConfiguration] = []
        var endpointNames: [String: String] = [:]
        for (name, description) in entries.sorted(by: { $0.key < $1.key }) {
            let place = "models.\(name)"
            guard EndpointConfiguration.isValidName(name) else {
                throw fail("`\(place)`: a model name must be non-empty and without spaces")
            }
            guard case let .object(fields) = description else {
                throw fail("`\(place)` must be an object with `endpoints`, not \(description.serialized())")
            }
            if let unknown = fields.keys.sorted().first(where: { $0 != "endpoints" }) {
                throw fail("`\(place)`: unknown key `\(unknown)`; a model has only `endpoints`")
            }
            guard case let .array(list)? = fields["endpoints"], !list.isEmpty else {
                throw fail("`\(place).endpoints` must be a non-empty array of endpoints, such as "
                    + #"[{"url": "http://127.0.0.1:8080"}]"#)
            }
            var endpoints: [EndpointConfiguration] = []
            for (index, entry) in list.enumerated() {
                let endpoint = try Self.endpoint(
                    from: entry, defaultName: "\(name)-\(index + 1)", place: "\(place).endpoints[\(index)]", source: source)
                if let other = endpointNames[endpoint.name] {
                    throw fail("`\(place).endpoints[\(index)]`: the endpoint name \"\(endpoint.name)\" is already used "
                        + "by `\(other)`; endpoint names must be unique across all models (unnamed endpoints are "
                        + "named <model>-<n>)")
                }
                endpointNames[endpoint.name] = "\(place).endpoints[\(index)]"
                endpoints.append(endpoint)
            }
            models.append(ModelConfiguration(name: name, endpoints: endpoints))
        }
        return models
    }

    /// One endpoint of `models`, at `place` (such as `models.gemma.endpoints[0]`).
    private static func endpoint(from value: JSONValue, defaultName: String, place: String,
                                 source: String) throws(ConfigurationError) -> EndpointConfiguration {
        func fail(_ message: String) -> ConfigurationError {
            ConfigurationError(source: source, message: "`\(place)`: \(message)")
        }
        guard case let .object(fields) = value else {
            throw fail("an endpoint must be an object such as {\"url\": \"http://127.0.0.1:8080\"}, not \(value.serialized())")
        }
        if let unknown = fields.keys.sorted().first(where: { !endpointKeys.contains($0) }) {
            throw fail("unknown key `\(unknown)`; an endpoint has \(endpointKeys.joined(separator: ", "))")
        }
        func text(_ key: String) throws(ConfigurationError) -> String? {
            guard let field = fields[key] else { return nil }
            guard case let .string(string) = field, !string.isEmpty else {
                throw fail("`\(key)` must be a non-empty string, not \(field.serialized())")
            }
            return string
        }
        guard let urlText = try text("url") else {
            throw fail("`url` is missing: give the server's base URL, such as http://127.0.0.1:8080")
        }
        let url: URL
        switch EndpointConfiguration.url(from: urlText) {
        case let .success(parsed): url = parsed
        case let .failure(problem): throw fail("`url` must be \(problem.expectation)")
        }
        let name = try text("name") ?? defaultName
        guard EndpointConfiguration.isValidName(name) else { throw fail("`name` must be without spaces") }
        let apiKey: APIKeySource?
        switch (try text("api_key_env"), try text("api_key_file")) {
        case (_?, _?): throw fail("give `api_key_env` or `api_key_file`, not both")
        case let (variable?, nil):
            guard APIKeySource.isVariableName(variable) else { throw fail(APIKeyError.notVariableName.description) }
            apiKey = .environment(variable: variable)
        case let (nil, path?):
            guard path.hasPrefix("/") else { throw fail(APIKeyError.relativePath.description) }
            apiKey = .file(path: path)
        case (nil, nil): apiKey = nil
        }
        var limit = EndpointConfiguration.defaultMaximumConcurrentRequests
        if let field = fields["max_concurrent"] {
            guard case let .int(number) = field, (1...Int64(Int32.max)).contains(number) else {
                throw fail("`max_concurrent` must be a whole number, at least 1, not \(field.serialized())")
            }
            limit = Int(number)
        }
        return EndpointConfiguration(
            name: name, url: url, servedModel: try text("served_model"), apiKey: apiKey, maximumConcurrentRequests: limit)
    }
}
